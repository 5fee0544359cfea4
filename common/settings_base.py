"""Settings both sites share; each site's settings.py starts with ``from ... import *`` of this
and keeps only what differs (as djangoproject.com's settings/common.py and prod.py).

Every production difference is an environment variable, read once here or in the site's
settings, with a development default.
"""

import logging
from pathlib import Path

from common.env import env_bool, env_choice, env_float, env_list, env_str
from common.logging import LOG_FORMATS, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")


def secret_key(site: str) -> str:
    """DJANGO_SECRET_KEY, or a development key with DEBUG on.

    Production must set it; each site's wsgi.py refuses to serve without it (settings still
    import for build steps such as collectstatic).
    """
    return env_str("DJANGO_SECRET_KEY") or (f"dev-only-insecure-{site}-key" if DEBUG else "")


LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# App Runner and load balancers terminate TLS and forward the original scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env_float("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# LOG_FORMAT=json writes one JSON object per line (for CloudWatch Logs Insights).
LOG_FORMAT = env_choice("LOG_FORMAT", LOG_FORMATS, "text")
LOGGING = logging_config(env_str("LOG_LEVEL", "INFO").upper(), LOG_FORMAT)
logging.captureWarnings(LOG_FORMAT == "json")
