#!/bin/sh
# App Runner's start command for either site: `sh deploy/start.sh backend|frontend`.
#
# The build command installs the requirements into .python_packages inside the source
# folder, because App Runner's Python 3.11 build keeps only that folder (/app) for the
# running image. gunicorn reads ./gunicorn.conf.py, which binds 0.0.0.0:$PORT.
set -eu
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/.python_packages${PYTHONPATH:+:$PYTHONPATH}"

case "${1:-}" in
backend)
    # The database is only reachable at run time (through the VPC connector), not while
    # App Runner builds, so the schema is brought up to date here, before serving.
    python3 manage.py migrate --no-input
    exec python3 -m gunicorn backend_site.wsgi
    ;;
frontend)
    exec python3 -m gunicorn frontend_site.wsgi
    ;;
*)
    echo "usage: sh deploy/start.sh backend|frontend" >&2
    exit 2
    ;;
esac
