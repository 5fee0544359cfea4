"""Read settings from environment variables, each once, with development defaults."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable's value stripped of surrounding blanks, or ``default``."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    """Return a yes/no variable; anything but a clear yes or no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}.")


def env_float(name: str, default: float) -> float:
    """Return a number variable, failing with the variable's name when it is not one."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None


def env_count(name: str, default: int) -> int:
    """Return a whole number of at least 1 (a count), failing with the variable's name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {raw!r}.")
    return value


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """Return a variable that must be one of ``choices`` (compared in lower case)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {'/'.join(choices)}, not {raw!r}.")
    return raw.lower()


def env_list(name: str, default: str = "") -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def require_in_production(settings, required: dict[str, str]) -> None:
    """Refuse to serve with DEBUG off while a setting is empty; name its variable.

    Called from wsgi.py, not settings.py, so build steps (collectstatic) still run
    without secrets while a server never starts without them.
    """
    if settings.DEBUG:
        return
    missing = [variable for setting, variable in required.items() if not _is_set(settings, setting)]
    if missing:
        raise ImproperlyConfigured(
            f"{', '.join(missing)} must be set when DJANGO_DEBUG is off (see .env.example)."
        )


def _is_set(settings, setting: str) -> bool:
    try:
        return bool(getattr(settings, setting))
    except ImproperlyConfigured:  # Django refuses to hand out an empty SECRET_KEY at all
        return False
