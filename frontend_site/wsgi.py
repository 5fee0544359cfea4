"""WSGI entry point of the public site (gunicorn frontend_site.wsgi)."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontend_site.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from common.env import env_list, require_in_production  # noqa: E402

require_in_production(
    settings, {"SECRET_KEY": "DJANGO_SECRET_KEY", "BACKEND_API_KEY": "BACKEND_API_KEY"}
)
if settings.BACKEND_API_KEY and not env_list("BACKEND_API_KEY"):
    # The deprecated fallback (settings.py): say so, as the public site should not hold it.
    logging.getLogger("frontend_site.backend").warning(
        "BACKEND_API_KEY is not set, so the frontend sends BACKEND_SERVICE_TOKEN, a secret "
        "that may also write: give it a read-only one as BACKEND_API_KEY (the backend's "
        "BACKEND_READ_TOKEN, or manage.py api_keys create NAME --scopes read)."
    )
