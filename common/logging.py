"""One logging configuration for both sites: plain lines on stdout, as App Runner collects."""


def logging_config(level: str) -> dict:
    """Return a LOGGING dict that sends the app's and Django's warnings to stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "plain",
            },
        },
        "root": {"handlers": ["stdout"], "level": "WARNING"},
        "loggers": {
            "leaderboard": {"handlers": ["stdout"], "level": level, "propagate": False},
            "backend_site": {"handlers": ["stdout"], "level": level, "propagate": False},
            "frontend_site": {"handlers": ["stdout"], "level": level, "propagate": False},
            # Django logs 4xx/5xx itself; our request line already says it.
            "django.request": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
            "django.server": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
        },
    }
