"""Settings of the private ranking backend: what differs from common/settings_base.py.

Every production difference is an env variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from backend_site import database
from backend_site.redis_config import cluster_url_check, redis_url
from common.env import env_bool, env_count, env_float, env_list, env_str
from common.settings_base import *  # noqa: F403
from common.settings_base import BASE_DIR, secret_key

SECRET_KEY = secret_key("backend")

# Access control (backend_site.access): who may reach the API at all.
# BACKEND_SERVICE_TOKEN: shared secrets from before API keys, with the read and write scopes.
# BACKEND_READ_TOKEN: secrets that may only read (the public frontend's, so a deployment can
# hand it one from its secret store). Either takes a comma-separated list, for rotation.
BACKEND_SERVICE_TOKENS = env_list("BACKEND_SERVICE_TOKEN")
BACKEND_READ_TOKENS = env_list("BACKEND_READ_TOKEN")
BACKEND_ALLOWED_NETWORKS = env_list(
    "BACKEND_ALLOWED_NETWORKS",
    "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
)
BACKEND_TRUSTED_PROXIES = env_list("BACKEND_TRUSTED_PROXIES")
# A caller's X-Request-ID is believed only with a valid service token; others get our own.
REQUEST_ID_TRUSTED_FROM = "backend_site.access.has_valid_token"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "backend_site.rankings",
    "backend_site.api_keys",
    "backend_site.audit",
    "axes",
]

# The admin login is throttled (django-axes): after AXES_FAILURE_LIMIT failures for one
# username or from one address within AXES_COOLOFF_TIME, further attempts get a 429 for that
# long, the right password included. Lockouts are listed in the admin ("Axes"); `manage.py
# axes_reset` (or axes_reset_username / axes_reset_ip) lifts them. The address is the one the
# access control judges, behind BACKEND_TRUSTED_PROXIES only.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "backend_site.access.client_ip"
AXES_HTTP_RESPONSE_CODE = 429

# A request that waited past QUEUE_DEADLINE_MS for a thread is refused at once with a 503
# and Retry-After, never run late (common.middleware.OverloadMiddleware).
OVERLOAD_ANSWER = "refuse"

MIDDLEWARE = [
    "common.middleware.HeadWithoutBodyMiddleware",
    "common.middleware.RequestLogMiddleware",
    "backend_site.access.AccessControlMiddleware",
    "common.middleware.HealthCheckMiddleware",
    "common.middleware.OverloadMiddleware",
    "backend_site.rankings.errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backend_site.admin_middleware.AdminSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "backend_site.admin_middleware.AdminAuthenticationMiddleware",
    "backend_site.admin_middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
READINESS_CHECK = "backend_site.rankings.reads.selectors.readiness_failures"

ROOT_URLCONF = "backend_site.urls"
WSGI_APPLICATION = "backend_site.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'backend.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
# How long a kept PostgreSQL connection may sit idle before a request checks it with a round
# trip (backend_site/database/base.py); sooner, only a socket with something to read is.
DATABASE_CHECK_IDLE_SECONDS = env_float("DATABASE_CHECK_IDLE_SECONDS", 5.0)
# Hot statements planned once per connection: psycopg binds parameters on the server and
# prepares a statement the fifth time a connection runs it. Turn it off behind a pooler that
# hands each transaction another server connection (PgBouncer in transaction mode before
# 1.21, or without max_prepared_statements): see docs/deployment.md.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DATABASES["default"] = database.configured(
    DATABASES["default"], prepared=DATABASE_PREPARED_STATEMENTS
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock instead of failing, and take it up front so an update
    # never has to upgrade a read lock (the classic "database is locked").
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = redis_url(env_str("REDIS_URL"), env_str("REDIS_PORT"))
# Half a second: a frozen Redis (it accepts and never answers) costs a request that long
# before its 503. The longest single command we send, a rebuild's 10,000-member ZADD into a
# board of a million, took 60-90 ms inside Redis on a busy 2-core machine.
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT_SECONDS", 0.5)
# A period that has ended is archived once this long after its end, so a write accepted just
# before the boundary has committed by then (rankings/writes/closing.py).
PERIOD_CLOSE_GRACE_SECONDS = env_float("PERIOD_CLOSE_GRACE_SECONDS", 60.0)

# Webhooks (rankings/webhooks/): the deliverer's HTTP timeouts, its retry schedule and its
# pause when nothing is due. A delivery is retried until WEBHOOK_GIVE_UP_SECONDS after its
# event (or after "send again"), then marked failed.
WEBHOOK_CONNECT_TIMEOUT = env_float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3.0)
WEBHOOK_READ_TIMEOUT = env_float("WEBHOOK_READ_TIMEOUT_SECONDS", 10.0)
WEBHOOK_BACKOFF_SECONDS = env_float("WEBHOOK_BACKOFF_SECONDS", 10.0)
WEBHOOK_BACKOFF_MAX_SECONDS = env_float("WEBHOOK_BACKOFF_MAX_SECONDS", 3600.0)
WEBHOOK_GIVE_UP_SECONDS = env_float("WEBHOOK_GIVE_UP_SECONDS", 24 * 3600.0)
WEBHOOK_IDLE_SECONDS = env_float("WEBHOOK_IDLE_SECONDS", 1.0)
# How often a backend process asks whether any active endpoint subscribes to leader.changed.
# While none does, writes skip the check of the lead (and on PostgreSQL a plain submission stays
# one statement); a new subscriber is heard within this long.
WEBHOOK_SUBSCRIBERS_SECONDS = env_float("WEBHOOK_SUBSCRIBERS_SECONDS", 1.0)
# A Redis Cluster (ElastiCache Serverless, or self-managed): connections.connection() then gives
# redis-py's cluster client, built from the same URL and options as CACHES below.
REDIS_CLUSTER = env_bool("REDIS_CLUSTER", False)
if REDIS_CLUSTER:
    cluster_url_check(REDIS_URL)
_redis_pool_kwargs = {
    "health_check_interval": 30,
    # A connection Redis closed (a restart, an idle timeout) is opened again once, at once;
    # a timeout is not retried, so a frozen Redis still costs a request one REDIS_TIMEOUT.
    "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    "retry_on_error": [RedisConnectionError],
}
if env_str("REDIS_TLS_CA_FILE"):
    # redis-py rejects a CA file on a plain connection at the first command (TypeError);
    # say so at start-up instead, naming both variables.
    if not REDIS_URL.startswith("rediss://"):
        raise ImproperlyConfigured(
            "REDIS_TLS_CA_FILE is set, so REDIS_URL must be a rediss:// (TLS) URL, "
            f"not {REDIS_URL.split('://')[0]}://."
        )
    if not Path(env_str("REDIS_TLS_CA_FILE")).is_file():
        raise ImproperlyConfigured(
            f"REDIS_TLS_CA_FILE points at {env_str('REDIS_TLS_CA_FILE')}, which is not a file."
        )
    _redis_pool_kwargs["ssl_ca_certs"] = env_str("REDIS_TLS_CA_FILE")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_TIMEOUT,
            "CONNECTION_POOL_KWARGS": _redis_pool_kwargs,
        },
    }
}

# django-redis reads this at the end of every request (close_caches); set, it is a plain read
# instead of a failed lookup of a missing setting. False: keep the pool's connections open.
DJANGO_REDIS_CLOSE_CONNECTION = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

USE_I18N = True  # the admin speaks the user's language

# Where collectstatic puts the admin's files (a folder of its own per site; tests running
# side by side give each backend its own).
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles" / "backend")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")  # the admin behind a proxy
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# A submission is a few dozen bytes; a batch of 1,000 with long unicode names stays under 1 MiB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Days of rank history kept (score events, day ranks); manage.py prune_history removes older.
HISTORY_RETENTION_DAYS = env_count("HISTORY_RETENTION_DAYS", 400)
# Days of audit log kept (who changed what); manage.py prune_audit removes older entries.
AUDIT_RETENTION_DAYS = env_count("AUDIT_RETENTION_DAYS", 400)
