"""Fixtures shared by every test: real redis-server and PostgreSQL, the sites under gunicorn.

TEST_DATABASE picks the database engine: ``sqlite`` (the default) runs every test on SQLite;
``postgres`` runs the tests that touch the database, and only those, on a PostgreSQL server
the session starts itself on a free loopback port.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.db import connections
from django_redis.pool import ConnectionFactory

from tests.servers import PostgresServer, RedisServer, Site

SERVICE_TOKEN = "test-service-token"
TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")
# A test touches the database when it needs one of these, itself or through another fixture
# (every served backend gets its database from make_database_url), or is marked django_db.
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_setup",
    "live_server",
    "make_database_url",
    "postgres_server",
}


def pytest_configure(config):
    if TEST_DATABASE not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"TEST_DATABASE must be sqlite or postgres, not {TEST_DATABASE!r}")


def touches_database(item: pytest.Item) -> bool:
    needs = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    return bool(needs) or item.get_closest_marker("django_db") is not None


def runs_here(item: pytest.Item) -> bool:
    if TEST_DATABASE == "postgres":
        return touches_database(item)
    return item.get_closest_marker("postgres_only") is None


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that touch the database; SQLite runs all the others
    (and those, but not the ones about the PostgreSQL server itself)."""
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
def _plain_static_storage(settings):
    """In-process tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A redis-server of our own on a free loopback port (never the machine's 6379)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server):
    """A client on the test's Redis, emptied first (ranking_redis points Django at it)."""
    client = redis_server.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def ranking_redis(redis_server, redis_client, settings):
    """Point the backend's django-redis connection at the test's Redis."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": redis_server.url,
        }
    }
    yield redis_client
    for pool in ConnectionFactory._pools.values():
        pool.disconnect()


# Production mode for a test server of either site, but on loopback and plain HTTP.
PRODUCTION_ON_LOOPBACK = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def backend_env(redis_url: str, database_url: str, **extra: str) -> dict[str, str]:
    """Environment of a backend server in production mode, on loopback and plain HTTP."""
    return {
        **PRODUCTION_ON_LOOPBACK,
        "DJANGO_SETTINGS_MODULE": "backend_site.settings",
        "DJANGO_SECRET_KEY": "test-secret-key-for-the-backend-only-in-tests",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BACKEND_SERVICE_TOKEN": SERVICE_TOKEN,
        **extra,
    }


@pytest.fixture(scope="session")
def backend_server(redis_server, make_database_url, tmp_path_factory):
    """The backend under gunicorn, migrated, on a database of its own and our Redis."""
    workdir = tmp_path_factory.mktemp("backend")
    env = backend_env(redis_server.url, make_database_url(workdir))
    site = Site("backend_site.wsgi", env, workdir / "gunicorn.log")
    site.migrate()
    collected = site.manage("collectstatic", "--no-input", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    site.start()
    yield site
    site.stop()
