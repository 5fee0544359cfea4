"""WSGI entry point of the backend (gunicorn backend_site.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend_site.settings")

application = get_wsgi_application()

from backend_site.access import require_production_secrets  # noqa: E402

require_production_secrets()
