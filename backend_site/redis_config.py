"""Turn REDIS_URL / REDIS_PORT into a redis:// URL, accepting the original sample's bare host."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from redis.connection import parse_url

SAMPLE_PORT = 9000  # the port the original sample's ElastiCache cluster listened on
DEFAULT_URL = "redis://127.0.0.1:6379/0"
SCHEMES = {"redis", "rediss", "unix"}


def redis_url(raw: str, port: str = "") -> str:
    """Return a full Redis URL: a full URL as given, a bare host as redis://HOST:PORT/0."""
    raw = raw.strip()
    if not raw:
        return DEFAULT_URL
    if "://" in raw:
        scheme = urlsplit(raw).scheme
        if scheme not in SCHEMES:
            raise ImproperlyConfigured(
                f"REDIS_URL must start with redis://, rediss:// or unix://, not {scheme}://."
            )
        return raw
    host = raw.rstrip("/")
    if ":" in host and not host.startswith("["):
        host, _, given_port = host.partition(":")
        port = port or given_port
    port = port.strip() or str(SAMPLE_PORT)
    if not port.isdigit():
        raise ImproperlyConfigured(f"REDIS_PORT must be a port number, not {port!r}.")
    return f"redis://{host}:{port}/0"


def cluster_url_check(url: str) -> None:
    """Refuse a URL a Redis Cluster cannot serve: a cluster has database 0 only, over TCP."""
    if url.startswith("unix://"):
        raise ImproperlyConfigured(
            "REDIS_CLUSTER is on, so REDIS_URL must be redis:// or rediss://."
        )
    database = parse_url(url).get("db", 0)
    if database != 0:
        raise ImproperlyConfigured(
            f"REDIS_CLUSTER is on, so REDIS_URL must use database 0 (a cluster has no other), "
            f"not {database}."
        )
