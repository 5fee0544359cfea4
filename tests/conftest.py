"""Fixtures shared by every test: a real redis-server and the real sites under gunicorn."""

from __future__ import annotations

import pytest
from django_redis.pool import ConnectionFactory

from tests.servers import RedisServer, Site

SERVICE_TOKEN = "test-service-token"


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
    """The test's Redis, empty, and Django's cache settings pointing at it."""
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


def backend_env(redis_url: str, database: str, **extra: str) -> dict[str, str]:
    """Environment of a backend server in production mode, on loopback and plain HTTP."""
    return {
        **PRODUCTION_ON_LOOPBACK,
        "DJANGO_SETTINGS_MODULE": "backend_site.settings",
        "DJANGO_SECRET_KEY": "test-secret-key-for-the-backend-only-in-tests",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": redis_url,
        "BACKEND_SERVICE_TOKEN": SERVICE_TOKEN,
        **extra,
    }


@pytest.fixture(scope="session")
def backend_server(redis_server, tmp_path_factory):
    """The backend under gunicorn, migrated, on its own SQLite file and our Redis."""
    workdir = tmp_path_factory.mktemp("backend")
    site = Site(
        "backend_site.wsgi",
        backend_env(redis_server.url, str(workdir / "backend.sqlite3")),
        workdir / "gunicorn.log",
    )
    site.migrate()
    collected = site.manage("collectstatic", "--no-input", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    site.start()
    yield site
    site.stop()
