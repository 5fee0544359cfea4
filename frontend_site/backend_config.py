"""Turn BACKEND_URL into a base URL, accepting the original sample's bare host name."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_URL = "http://127.0.0.1:8001"


def backend_url(raw: str) -> str:
    """Return the backend's base URL: a full URL as given, a bare host as https://HOST."""
    raw = raw.strip().rstrip("/")
    if not raw:
        return DEFAULT_URL
    if "://" not in raw:
        raw = f"https://{raw}"
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"BACKEND_URL must be http(s)://HOST[:PORT] or a bare host name, not {raw!r}."
        )
    return raw
