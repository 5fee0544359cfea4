"""The floors: our own Django stack around a view that does nothing but return the ceiling's body.

Both run the backend's settings under the same gunicorn settings as everything else, so they
show what Django and our middleware cost before a view does any work:

* ``BENCH_FLOOR=django``: no middleware at all, only Django's request cycle and URL resolver;
* ``BENCH_FLOOR=backend``: the backend's whole middleware list and request log, as the API
  runs it (access control, service token, security headers ...).

Between a floor and the ceiling lies what Django costs; between the backend floor and a
backend read lies what the read itself costs (its Redis round trip, parsing and JSON).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.floor_settings")

application = get_wsgi_application()
