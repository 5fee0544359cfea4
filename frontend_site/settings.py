"""Settings of the public leaderboard site: what differs from common/settings_base.py.

Every production difference is an env variable. The site has no database, sessions or users:
it renders what the private backend answers, cached briefly, and keeps the last good answer to
show while the backend is away; both are shared by the workers of an instance through files
in FRONTEND_CACHE_DIR (frontend_site/board/snapshots.py).
"""

import os
import tempfile
from pathlib import Path

from common.env import env_count, env_float, env_list, env_str
from common.settings_base import *  # noqa: F403
from common.settings_base import BASE_DIR, secret_key
from frontend_site.backend_config import backend_url
from frontend_site.cors import cors_origins

SECRET_KEY = secret_key("frontend")

# The private backend (frontend_site.board.backend_client is the one module calling it).
BACKEND_URL = backend_url(env_str("BACKEND_URL"))
# The secret we send the backend: a read-only one, its BACKEND_READ_TOKEN or an API key with
# the read scope. A comma-separated list while it rotates (the backend accepts them all); we
# send the first. BACKEND_SERVICE_TOKEN, the shared read-write secret, is deprecated here and
# read only when BACKEND_API_KEY is unset, so deployments from before keep running.
BACKEND_API_KEY = next(iter(env_list("BACKEND_API_KEY") or env_list("BACKEND_SERVICE_TOKEN")), "")
BACKEND_CONNECT_TIMEOUT = env_float("BACKEND_CONNECT_TIMEOUT", 0.5)
BACKEND_READ_TIMEOUT = env_float("BACKEND_READ_TIMEOUT", 2.0)
# A burst of page views within this many seconds costs the backend one call per instance.
FRONTEND_CACHE_SECONDS = env_float("FRONTEND_CACHE_SECONDS", 1.0)
# How long the last good answer may be shown, marked stale, while the backend is away.
FRONTEND_STALE_SECONDS = env_float("FRONTEND_STALE_SECONDS", 300.0)
# How long the backend's "no such board or player" is believed, so made-up URLs cost it little.
FRONTEND_NOT_FOUND_SECONDS = env_float("FRONTEND_NOT_FOUND_SECONDS", 10.0)
# Player pages the instance knows nothing about (frontend_site/board/lookups.py): each worker
# asks the backend about at most this many unknown ids a second from everyone together, and
# this many a minute per visitor; beyond them a 429 page. Known players are never refused.
FRONTEND_LOOKUPS_PER_SECOND = env_float("FRONTEND_LOOKUPS_PER_SECOND", 100.0)
FRONTEND_LOOKUPS_PER_VISITOR_MINUTE = env_float("FRONTEND_LOOKUPS_PER_VISITOR_MINUTE", 60.0)
# Our own proxies (load balancer, nginx, CloudFront's origin-facing ranges): only they may tell
# us a visitor's address (X-Forwarded-For) or a request id (X-Request-ID). Loopback by default,
# for make run; set the load balancer's subnets in production.
FRONTEND_TRUSTED_PROXIES = env_list("FRONTEND_TRUSTED_PROXIES", "127.0.0.1,::1")
REQUEST_ID_TRUSTED_FROM = "frontend_site.proxies.from_trusted_proxy"
# Origins whose pages may read /data.json (a web build of the game): "*" (the data is public)
# or a comma-separated list such as https://game.example.com,https://play.example.com.
FRONTEND_CORS_ORIGINS = cors_origins(env_list("FRONTEND_CORS_ORIGINS") or ["*"])
# Calls to the backend in flight at once from one instance, all workers together; a request
# beyond them gets the last good copy or a 503 at once, never a place in a queue.
FRONTEND_BACKEND_CONCURRENCY = env_count("FRONTEND_BACKEND_CONCURRENCY", 8)
# The instance's shared cache and locks: every worker of an instance uses this folder, and each
# instance its own (a local disk, not a network share). The folders are made on first use.
# The default names the user, so another user's folder (made 0700) is never in the way.
FRONTEND_CACHE_DIR = Path(
    env_str("FRONTEND_CACHE_DIR")
    or Path(tempfile.gettempdir()) / f"leaderboard-frontend-cache-{os.getuid()}"
).absolute()
# Bump when the shapes kept in the shared cache change (snapshots.Snapshot, the answers in
# backend_client): a folder that outlives a deploy then reads as empty, not as old objects.
SHARED_CACHE_VERSION = 2

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "frontend_site.board",
]

# A request that waited past QUEUE_DEADLINE_MS for a thread is served from what the instance
# already has, with no backend call (common.middleware.OverloadMiddleware).
OVERLOAD_ANSWER = "cached"

MIDDLEWARE = [
    "common.middleware.HeadWithoutBodyMiddleware",
    "common.middleware.RequestLogMiddleware",
    "common.middleware.HealthCheckMiddleware",
    "common.middleware.OverloadMiddleware",
    "frontend_site.cors.DataJsonCors",
    "frontend_site.middleware.SnapshotPageCache",
    "frontend_site.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "frontend_site.urls"
WSGI_APPLICATION = "frontend_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": ["django.template.context_processors.request"],
        },
    },
]

DATABASES = {}


def instance_caches(folder: Path) -> dict:
    """The CACHES of an instance whose shared cache lives in ``folder``.

    Files, so that every worker reads what one fetched and a restarted worker finds it. Two
    caches, each culled on its own once full (a third of its files, at random): board first
    pages, the ones an outage must keep, are few (two per board); other pages and the brief
    404s are as many as the URLs visitors make up, and must not push the first pages out.
    """
    file_cache = "django.core.cache.backends.filebased.FileBasedCache"
    return {
        "default": {  # the first page of each board, and /data.json's rows
            "BACKEND": file_cache,
            "LOCATION": str(folder / "first-pages"),
            "VERSION": SHARED_CACHE_VERSION,
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        # Every set lists the folder to count its files: 4 ms at 5000 files, under 2 at 2000.
        "pages": {
            "BACKEND": file_cache,
            "LOCATION": str(folder / "pages"),
            "VERSION": SHARED_CACHE_VERSION,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }


CACHES = instance_caches(FRONTEND_CACHE_DIR)

USE_I18N = False

# The board's assets, served under /static/board/ (the backend's admin brings its own).
STATICFILES_DIRS = [("board", BASE_DIR / "static" / "board")]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles" / "frontend")
WHITENOISE_MAX_AGE = 3600

SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
# The pages load only our own hashed assets: no inline script or style, nothing external.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024  # the public site takes no uploads
