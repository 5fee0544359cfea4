#!/bin/sh
# Start either site, or run the once-per-deploy steps, the same way everywhere: the container
# image (its CMD and HEALTHCHECK), docker compose, ECS and App Runner's start command.
#
#   sh deploy/start.sh backend|frontend   gunicorn with ./gunicorn.conf.py on $PORT
#   sh deploy/start.sh                    the same, for the site named in $SITE
#   sh deploy/start.sh migrate [--seed]   bring the schema up to date, once per deploy (with
#                                         --seed: the sample's players if the board is empty)
#   sh deploy/start.sh webhooks           the webhook deliverer (manage.py deliver_webhooks),
#                                         a process of its own; SIGTERM stops it cleanly
#   sh deploy/start.sh manage ARGS...     any manage.py command (createsuperuser, ...)
#   sh deploy/start.sh healthcheck        exit 0 when /healthz on $PORT answers 200
#
# Serving never migrates: several instances starting together must not race on the schema, so
# a deploy runs `migrate` once, before the new instances start (a one-off task or job).
set -eu
cd "$(dirname "$0")/.."
# App Runner's Python 3.11 build keeps only the source folder (/app) for the running image,
# so its build command installs the requirements into .python_packages there.
export PYTHONPATH="$PWD/.python_packages${PYTHONPATH:+:$PYTHONPATH}"

command="${1:-${SITE:-}}"
[ $# -gt 0 ] && shift

case "$command" in
backend)
    exec python3 -m gunicorn backend_site.wsgi
    ;;
frontend)
    exec python3 -m gunicorn frontend_site.wsgi
    ;;
migrate)
    export DJANGO_SETTINGS_MODULE=backend_site.settings
    python3 manage.py migrate --no-input
    if [ "${1:-}" = "--seed" ]; then
        exec python3 manage.py seed --if-empty
    fi
    ;;
webhooks)
    export DJANGO_SETTINGS_MODULE=backend_site.settings
    exec python3 manage.py deliver_webhooks "$@"
    ;;
manage)
    exec python3 manage.py "$@"
    ;;
healthcheck)
    # Python's urllib, as the slim image has no curl; any error or non-2xx exits non-zero.
    exec python3 -c 'import os, sys, urllib.request
port = os.environ.get("PORT", "8000")
try:
    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4)
except Exception as exc:
    sys.exit(f"unhealthy: /healthz on port {port}: {exc}")'
    ;;
*)
    echo "usage: sh deploy/start.sh backend|frontend|migrate [--seed]|webhooks|manage ARGS|healthcheck" >&2
    echo "       (or set SITE=backend or SITE=frontend and give no argument)" >&2
    exit 2
    ;;
esac
