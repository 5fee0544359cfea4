"""What every test shares: which tests a pass runs, and the fixtures every test gets. The
servers' fixtures are in tests/fixtures/ (databases, Redis, the served sites), by what they
provide; each is real: redis-server, PostgreSQL, the sites under gunicorn.

TEST_DATABASE picks the database engine: ``sqlite`` (the default) runs every test on SQLite;
``postgres`` runs the tests that touch the database, and only those, on a PostgreSQL server
the session starts itself on a free loopback port.

TEST_REDIS picks the Redis: ``single`` (the default) is one redis-server with a logical
database per test; ``cluster`` runs the backend files in CLUSTER_FILES, and only those,
against a Redis Cluster the session starts (3 masters, 3 replicas), with REDIS_CLUSTER on.

TEST_TIER=fast (``make test-fast``) runs only the tests that need no server: no database, no
Redis, no served site, no browser (``needs_server``); ``all`` (the default) runs the passes.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "tests.fixtures.databases",
    "tests.fixtures.redis_servers",
    "tests.fixtures.sites",
    "tests.frontend.fixtures.fake_backends",
    "tests.frontend.fixtures.served_sites",
]

TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")
TEST_REDIS = os.environ.get("TEST_REDIS", "single")
CLUSTER = TEST_REDIS == "cluster"
TEST_TIER = os.environ.get("TEST_TIER", "all")
FAST = TEST_TIER == "fast"


# The backend's test files that also run against a Redis Cluster (TEST_REDIS=cluster). The
# others are about a single node (database numbers, TLS to one server), or about no Redis.
CLUSTER_FILES = {
    "tests/backend/api/test_api.py",
    "tests/backend/api/test_lookup.py",
    "tests/backend/api/test_metadata.py",
    "tests/backend/api/test_subscores.py",
    "tests/backend/api/test_boards_api.py",
    "tests/backend/test_admin_login.py",
    "tests/backend/test_api_keys.py",
    "tests/backend/writes/test_boards.py",
    "tests/backend/writes/test_bounds.py",
    "tests/backend/writes/test_erasure.py",
    "tests/backend/ranking_index/test_cluster.py",
    "tests/backend/reads/test_export.py",
    "tests/backend/reads/test_rank_change.py",
    "tests/backend/test_rate_limits.py",
    "tests/backend/writes/test_rollback.py",
    "tests/backend/writes/test_sanctions.py",
    "tests/backend/calendar/test_archives.py",
    "tests/backend/writes/test_concurrency.py",
    "tests/backend/ranking_index/test_outage.py",
    "tests/backend/ranking_index/test_rebuild.py",
    "tests/backend/ranking_index/test_scripts.py",
    "tests/backend/writes/test_seed.py",
    "tests/backend/ranking_index/test_store.py",
    "tests/backend/ranking_index/test_sync.py",
}


# A test touches the database when it needs one of these, itself or through another fixture
# (every served backend gets its database from make_database_url), or is marked django_db.
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_setup",
    "live_server",
    "make_database_url",
    "postgres_server",
    "own_postgres",
}


# A test needs a server when it needs one of these (a database, a redis-server or cluster, a
# served site), itself or through another fixture, or is marked browser or django_db.
# (redis_url takes its server by name at run time, so it is listed itself.)
SERVER_FIXTURES = DATABASE_FIXTURES | {
    "redis_url",
    "redis_server",
    "redis_cluster",
    "served_redis_url",
    "backend_server",
    "make_frontend",
}


SERVER_MARKERS = ("django_db", "browser", "served", "cluster_only")


def needs_server(item: pytest.Item) -> bool:
    needs = SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    return bool(needs) or any(item.get_closest_marker(name) for name in SERVER_MARKERS)


def pytest_configure(config):
    if TEST_TIER not in ("all", "fast"):
        raise pytest.UsageError(f"TEST_TIER must be all or fast, not {TEST_TIER!r}")
    if TEST_DATABASE not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"TEST_DATABASE must be sqlite or postgres, not {TEST_DATABASE!r}")
    if TEST_REDIS not in ("single", "cluster"):
        raise pytest.UsageError(f"TEST_REDIS must be single or cluster, not {TEST_REDIS!r}")


def touches_database(item: pytest.Item) -> bool:
    needs = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    return bool(needs) or item.get_closest_marker("django_db") is not None


def runs_on_cluster(item: pytest.Item) -> bool:
    """In CLUSTER_FILES and not marked single_redis_only (which names why), nor
    postgres_only (the cluster pass runs on SQLite)."""
    in_files = item.nodeid.split("::")[0] in CLUSTER_FILES
    unmarked = all(
        item.get_closest_marker(name) is None for name in ("single_redis_only", "postgres_only")
    )
    return in_files and unmarked


def runs_here(item: pytest.Item) -> bool:
    if FAST:
        return not needs_server(item)
    if CLUSTER:
        return runs_on_cluster(item)
    if item.get_closest_marker("cluster_only") is not None:
        return False
    if TEST_DATABASE == "postgres":
        return touches_database(item) and item.get_closest_marker("sqlite_only") is None
    return item.get_closest_marker("postgres_only") is None


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that touch the database; SQLite runs all the others
    (and those, but not the ones about the PostgreSQL server itself). On a Redis Cluster,
    run the cluster files' tests but those marked single_redis_only; the cluster_only ones
    run there alone."""
    kept = [item for item in items if runs_here(item)]
    deselected = [item for item in items if item not in kept]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True)
def _boards_forgotten():
    """Each test starts with no board known to this process (tables are flushed between
    tests, so a board of the same slug comes back with another id), and no change another
    test's Redis outage left waiting, and no sanction's end another test's database had."""
    from backend_site.rankings.calendar import boards
    from backend_site.rankings.ranking_index import sync
    from backend_site.rankings.writes import closing, sanctions

    boards.boards_forget()
    closing._closed.clear()
    sync.deferred_forget()
    sanctions.due_forget()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """In-process tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
