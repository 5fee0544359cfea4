"""Settings of the public leaderboard site. Every production difference is an env variable.

The site has no database, sessions or users: it renders what the private backend answers,
cached briefly in memory, and keeps the last good answer to show while the backend is away.
"""

from pathlib import Path

from common.env import env_bool, env_float, env_list, env_str
from common.logging import logging_config
from frontend_site.backend_config import backend_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
# Production must set it; wsgi.py refuses to serve without it (settings still import for
# build steps such as collectstatic).
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or ("dev-only-insecure-frontend-key" if DEBUG else "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# The private backend (frontend_site.board.backend_client is the one module calling it).
BACKEND_URL = backend_url(env_str("BACKEND_URL"))
# The backend accepts a comma-separated list while tokens rotate; we send the first.
BACKEND_SERVICE_TOKEN = next(iter(env_list("BACKEND_SERVICE_TOKEN")), "")
BACKEND_CONNECT_TIMEOUT = env_float("BACKEND_CONNECT_TIMEOUT", 0.5)
BACKEND_READ_TIMEOUT = env_float("BACKEND_READ_TIMEOUT", 2.0)
# A burst of page views within this many seconds costs the backend one call (per worker).
FRONTEND_CACHE_SECONDS = env_float("FRONTEND_CACHE_SECONDS", 1.0)
# How long the last good answer may be shown, marked stale, while the backend is away.
FRONTEND_STALE_SECONDS = env_float("FRONTEND_STALE_SECONDS", 300.0)

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "frontend_site.board",
]

MIDDLEWARE = [
    "common.middleware.RequestLogMiddleware",
    "common.middleware.HealthCheckMiddleware",
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
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "frontend-board",
        # Player pages add keys; keep room so the boards' last good copies are not culled.
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# The board's assets, served under /static/board/ (the backend's admin brings its own).
STATICFILES_DIRS = [("board", BASE_DIR / "static" / "board")]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles" / "frontend")
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# App Runner terminates TLS and forwards the original scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env_float("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The pages load only our own hashed assets: no inline script or style, nothing external.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

LOGGING = logging_config(env_str("LOG_LEVEL", "INFO").upper())
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024  # the public site takes no uploads
