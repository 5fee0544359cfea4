"""WSGI entry point of the public site (gunicorn frontend_site.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontend_site.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from common.env import require_in_production  # noqa: E402

require_in_production(
    settings,
    {"SECRET_KEY": "DJANGO_SECRET_KEY", "BACKEND_SERVICE_TOKEN": "BACKEND_SERVICE_TOKEN"},
)
