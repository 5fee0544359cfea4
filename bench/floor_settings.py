"""Settings of the floors (bench/floor.py): the backend's, with one URL and a chosen middleware."""

import os

from backend_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
if os.environ.get("BENCH_FLOOR") == "django":
    MIDDLEWARE = []
