"""Fixtures shared by every test: real redis-server and PostgreSQL, the sites under gunicorn.

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

import contextlib
import io
import itertools
import logging.config
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest
import redis
from django.conf import settings
from django.db import connections
from django_redis.pool import ConnectionFactory

from common import local_servers
from common.local_servers import GunicornSite, PostgresServer, RedisCluster, RedisServer
from common.logging import logging_config

SERVICE_TOKEN = "test-service-token"
# Logical databases of the session's redis-server: one for each test in process at a time, and
# one for each served backend for as long as it runs.
REDIS_DATABASES = 64
TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")
TEST_REDIS = os.environ.get("TEST_REDIS", "single")
CLUSTER = TEST_REDIS == "cluster"
TEST_TIER = os.environ.get("TEST_TIER", "all")
FAST = TEST_TIER == "fast"
# The backend's test files that also run against a Redis Cluster (TEST_REDIS=cluster). The
# others are about a single node (database numbers, TLS to one server), or about no Redis.
CLUSTER_FILES = {
    "tests/backend/api/test_api.py",
    "tests/backend/test_admin_login.py",
    "tests/backend/test_api_keys.py",
    "tests/backend/writes/test_bounds.py",
    "tests/backend/writes/test_erasure.py",
    "tests/backend/ranking_index/test_cluster.py",
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
        return touches_database(item)
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


@contextlib.contextmanager
def running_postgres(*, durable: bool = False) -> Iterator[PostgresServer]:
    """A started PostgresServer, stopped and deleted afterwards.

    Its folder comes from mkdtemp, not tmp_path_factory: as root the server runs as the
    postgres user, who cannot enter pytest's private temporary folders.
    """
    workdir = Path(tempfile.mkdtemp(prefix="leaderboard-postgres-"))
    server = PostgresServer(workdir, durable=durable)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of our own on a free loopback port (never the machine's 5432)."""
    with running_postgres() as server:
        yield server


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the test's own, which it may stop and start."""
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """Under TEST_DATABASE=postgres, create the test database on our own PostgreSQL server."""
    if TEST_DATABASE == "postgres":
        server = request.getfixturevalue("postgres_server")
        database = dj_database_url.parse(server.url("leaderboard"))
        use_as_default_database({**database, "TEST": {"NAME": "test_leaderboard"}})


def use_as_default_database(database: dict) -> None:
    """Make ``database`` Django's default database, in place of the settings' SQLite.

    django.db.connections caches DATABASES with its defaults filled in, and a connection
    keeps the backend it was made with: both are renewed, not only settings.DATABASES.
    """
    for connection in connections.all(initialized_only=True):
        connection.close()
        del connections[connection.alias]
    # The whole entry is replaced: the SQLite-only OPTIONS must not reach PostgreSQL.
    database = connections.configure_settings({"default": database})["default"]
    settings.DATABASES["default"] = database
    assert connections["default"].settings_dict is settings.DATABASES["default"]


def sqlite_database_url(workdir: Path, *, copy_of: str | None = None) -> str:
    database = workdir / "backend.sqlite3"
    if copy_of:
        shutil.copyfile(copy_of.removeprefix("sqlite:///"), database)
    return f"sqlite:///{database}"


@pytest.fixture(scope="session")
def make_database_url(request):
    """Return ``make(workdir, copy_of=None) -> DATABASE_URL``: a new database for a served
    backend on the engine in use, empty or a copy of one it made before (``copy_of``)."""
    if TEST_DATABASE == "sqlite":
        return sqlite_database_url
    server = request.getfixturevalue("postgres_server")
    numbers = itertools.count(1)

    def postgres_database_url(workdir: Path, *, copy_of: str | None = None) -> str:
        template = copy_of.rsplit("/", 1)[1] if copy_of else None
        return server.create_database(f"site_{next(numbers)}", template=template)

    return postgres_database_url


@pytest.fixture(autouse=True)
def _boards_forgotten():
    """Each test starts with no board known to this process (tables are flushed between
    tests, so a board of the same slug comes back with another id), and no change another
    test's Redis outage left waiting, and no sanction's end another test's database had."""
    from backend_site.rankings.calendar import archives, boards
    from backend_site.rankings.ranking_index import sync
    from backend_site.rankings.writes import sanctions

    boards.boards_forget()
    archives._closed.clear()
    sync.deferred_forget()
    sanctions.due_forget()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """In-process tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def site_log():
    """Return ``configure(log_format) -> read``: the sites' logging configured in that format
    (LOG_FORMAT), its one handler writing to memory; ``read()`` flushes it and returns the
    lines written so far. The settings' own logging is back afterwards."""

    def configure(log_format: str):
        logging.config.dictConfig(logging_config("INFO", log_format))
        handler = logging.getLogger("leaderboard").handlers[0]
        stream = io.StringIO()
        handler.setStream(stream)

        def read() -> list[str]:
            handler.flush()
            return stream.getvalue().splitlines()

        return read

    yield configure
    logging.config.dictConfig(settings.LOGGING)


class RedisDatabases:
    """Hands out the session redis-server's logical databases, each to one user at a time, so
    that no test flushes data a served site is using."""

    def __init__(self, server: RedisServer):
        self.server = server
        self.free = list(range(server.databases))

    def take(self) -> int:
        """A database nobody else is using; give_back() it when done, if ever."""
        if not self.free:
            raise RuntimeError(f"all {self.server.databases} Redis databases are in use")
        return self.free.pop(0)

    def take_url(self) -> str:
        """The URL of a database taken for good (a served site's, for the session)."""
        return self.server.database_url(self.take())

    def give_back(self, number: int) -> None:
        """Empty the database and let the next test have it."""
        client = self.server.client(number)
        client.flushdb()
        client.close()
        self.free.insert(0, number)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A redis-server of our own on a free loopback port (never the machine's 6379)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), databases=REDIS_DATABASES)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_databases(redis_server) -> RedisDatabases:
    """The one allocator of the session redis-server's databases."""
    return RedisDatabases(redis_server)


@pytest.fixture
def redis_database(redis_databases) -> Iterator[int]:
    """The number of the test's own, empty Redis database."""
    number = redis_databases.take()
    yield number
    redis_databases.give_back(number)


@contextlib.contextmanager
def running_cluster(workdir: Path, **options) -> Iterator[RedisCluster]:
    """A started RedisCluster, stopped afterwards."""
    cluster = RedisCluster(workdir, **options)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory) -> Iterator[RedisCluster]:
    """A Redis Cluster of our own (3 masters, 3 replicas) for tests in process: a cluster has
    only database 0, so each test's data is flushed from every master after it."""
    with running_cluster(tmp_path_factory.mktemp("redis-cluster")) as cluster:
        yield cluster


@pytest.fixture
def redis_url(request) -> Iterator[str]:
    """The URL of the test's own, empty Redis: a database of the session's redis-server, or
    (TEST_REDIS=cluster) the session's cluster, flushed after the test."""
    if CLUSTER:
        cluster = request.getfixturevalue("redis_cluster")
        yield cluster.url
        cluster.flush()
    else:
        number = request.getfixturevalue("redis_database")
        yield request.getfixturevalue("redis_server").database_url(number)


def redis_client_for(url: str) -> redis.Redis:
    """A new client on ``url``: redis-py's cluster client under TEST_REDIS=cluster."""
    return redis.RedisCluster.from_url(url) if CLUSTER else redis.Redis.from_url(url)


@pytest.fixture
def redis_client(redis_url):
    """A client on the test's own Redis (ranking_redis points Django at it)."""
    client = redis_client_for(redis_url)
    yield client
    client.close()


@pytest.fixture
def ranking_redis(redis_url, redis_client, settings):
    """Point the backend's Redis connection at the test's own Redis."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": redis_url}}
    settings.REDIS_CLUSTER = CLUSTER
    yield redis_client
    for pool in ConnectionFactory._pools.values():
        pool.disconnect()


def backend_env(redis_url: str, database_url: str, **extra: str) -> dict[str, str]:
    """Environment of a test backend in production mode, on loopback and plain HTTP; with
    REDIS_CLUSTER on under TEST_REDIS=cluster."""
    return local_servers.backend_env(
        redis_url,
        database_url,
        secret_key="test-secret-key-for-the-backend-only-in-tests",
        service_token=SERVICE_TOKEN,
        **{"WEB_CONCURRENCY": "2", "REDIS_CLUSTER": "true" if CLUSTER else "false", **extra},
    )


def start_backend_with_board(
    redis_url: str, database_url: str, workdir: Path, *, slug: str, operator: str, **env: str
) -> GunicornSite:
    """A migrated backend under gunicorn with one more board, ``slug`` (its ``operator``),
    made before it starts, as the admin would; ``env`` adds to its environment."""
    site = GunicornSite(
        "backend_site.wsgi", backend_env(redis_url, database_url, **env), workdir / "gunicorn.log"
    )
    site.migrate()
    made = site.manage(
        "shell",
        "-c",
        "from backend_site.rankings.models import Leaderboard; "
        f"Leaderboard.objects.create(slug={slug!r}, title={slug!r}, operator={operator!r})",
    )
    assert made.returncode == 0, made.stderr
    site.start()
    return site


class Sites:
    """The sites one fixture starts, each with a folder of its own; stop_all() ends them."""

    def __init__(self, tmp_path_factory, name: str):
        self.tmp_path_factory = tmp_path_factory
        self.name = name
        self.started: list[GunicornSite] = []

    def workdir(self) -> Path:
        return self.tmp_path_factory.mktemp(self.name)

    def start(
        self, wsgi: str, env: dict[str, str], *, workdir: Path | None = None, migrate=False
    ) -> GunicornSite:
        site = GunicornSite(wsgi, env, (workdir or self.workdir()) / "gunicorn.log")
        if migrate:
            site.migrate()
        self.started.append(site)
        site.start()
        return site

    def stop_all(self) -> None:
        for site in self.started:
            site.stop()


@pytest.fixture(scope="session")
def served_redis_url(request, tmp_path_factory) -> Iterator[str]:
    """A Redis for the session's served backend alone: a database of the session's
    redis-server, or (TEST_REDIS=cluster) a cluster of its own, 3 masters without replicas."""
    if not CLUSTER:
        yield request.getfixturevalue("redis_databases").take_url()
        return
    with running_cluster(tmp_path_factory.mktemp("served-cluster"), replicas=0) as cluster:
        yield cluster.url


@pytest.fixture(scope="session")
def backend_server(served_redis_url, make_database_url, tmp_path_factory):
    """The backend under gunicorn, migrated, on a database of its own and a Redis of its
    own."""
    workdir = tmp_path_factory.mktemp("backend")
    env = backend_env(
        served_redis_url, make_database_url(workdir), DJANGO_STATIC_ROOT=str(workdir / "static")
    )
    site = GunicornSite("backend_site.wsgi", env, workdir / "gunicorn.log")
    site.migrate()
    collected = site.manage("collectstatic", "--no-input", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    site.start()
    yield site
    site.stop()
