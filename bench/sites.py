"""How the benchmark configures the two sites: production mode, loopback, our own secrets."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench.measure import TOKEN

_COMMON = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, as behind App Runner
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "BACKEND_SERVICE_TOKEN": TOKEN,
}


def backend_env(redis_url: str, database: Path) -> dict[str, str]:
    return {
        **_COMMON,
        "DJANGO_SETTINGS_MODULE": "backend_site.settings",
        "DJANGO_SECRET_KEY": "bench-backend-secret-key-not-for-production-use-0123456789",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": redis_url,
    }


def frontend_env(backend_url: str, static_root: Path) -> dict[str, str]:
    return {
        **_COMMON,
        "DJANGO_SETTINGS_MODULE": "frontend_site.settings",
        "DJANGO_SECRET_KEY": "bench-frontend-secret-key-not-for-production-use-0123456789",
        "DJANGO_STATIC_ROOT": str(static_root),
        "BACKEND_URL": backend_url,
    }


def checked(done: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done
