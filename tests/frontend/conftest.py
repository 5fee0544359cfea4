"""Fixtures of the public site's tests: the real frontend under gunicorn, over real backends."""

from __future__ import annotations

import pytest

from tests.fixtures.sites import SERVICE_TOKEN

# What the test run owns: its database, static storage (tests/conftest.py), host list (with
# Django's "testserver"), DEBUG (off, as pytest-django sets it) and logging.
_KEPT_SETTINGS = {"DATABASES", "STORAGES", "ALLOWED_HOSTS", "DEBUG", "LOGGING", "LOGGING_CONFIG"}


def _forget_frontend_caches() -> None:
    """Empty what the frontend keeps per process: snapshots and rendered bodies.

    The page cache (SnapshotPageCache) lives in the middleware chain of each test client; the
    shared cache and its locks in the test's own FRONTEND_CACHE_DIR.
    """
    from frontend_site.board import snapshots, views

    snapshots._FRESH.clear()
    views._RENDERED.clear()


@pytest.fixture
def frontend_settings(settings, tmp_path):
    """The frontend's settings in this process, with the service token as its BACKEND_API_KEY
    and empty caches: a FRONTEND_CACHE_DIR of the test's own.

    BACKEND_URL is the development default until a test (or ``frontend``) points it.
    """
    from frontend_site import settings as frontend

    for name in dir(frontend):
        if name.isupper() and name not in _KEPT_SETTINGS:
            value = getattr(frontend, name)
            if getattr(settings, name, None) != value:
                setattr(settings, name, value)
    settings.BACKEND_API_KEY = SERVICE_TOKEN
    settings.FRONTEND_CACHE_DIR = tmp_path / "frontend-cache"
    settings.CACHES = frontend.instance_caches(settings.FRONTEND_CACHE_DIR)
    _forget_frontend_caches()
    yield settings
    _forget_frontend_caches()


@pytest.fixture
def frontend(frontend_settings, backend_server, client):
    """Django's test client on the frontend in this process, over the served backend."""
    frontend_settings.BACKEND_URL = backend_server.url
    return client
