# One image for both sites. SITE=backend or SITE=frontend picks the site (deploy/start.sh);
# `sh deploy/start.sh migrate` is the once-per-deploy step. tests/deploy/test_image.py runs
# these RUN steps and the CMD outside a container, so keep paths in ENV and WORKDIR.

# --- builder: the locked requirements in a virtualenv, checked by hash ------------------------
FROM python:3.11-slim AS builder
ENV VIRTUAL_ENV=/opt/venv PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.lock ./
# Every dependency has a wheel for this platform, so no compiler is needed here either.
# `--no-deps` trusts the lock; `pip check` fails the build if it missed one for this Python.
RUN python -m venv "$VIRTUAL_ENV" \
    && "$VIRTUAL_ENV/bin/pip" install --require-hashes --no-deps --only-binary=:all: \
        -r requirements.lock \
    && "$VIRTUAL_ENV/bin/pip" check

# --- final: the virtualenv and the source, no build tools, not root --------------------------
FROM python:3.11-slim
ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . .
# Both sites' hashed static files, made once here. Settings import without secrets, and
# production mode (DJANGO_DEBUG=false) collects what production serves.
RUN DJANGO_DEBUG=false python manage.py collectstatic --no-input -v 0 \
        --settings=backend_site.settings \
    && DJANGO_DEBUG=false python manage.py collectstatic --no-input -v 0 \
        --settings=frontend_site.settings
# A numeric user with no entry in /etc/passwd: it owns nothing, so the code and the static
# files are read-only to it, and Kubernetes/ECS can see it is not root.
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
    CMD ["sh", "deploy/start.sh", "healthcheck"]
CMD ["sh", "deploy/start.sh"]
