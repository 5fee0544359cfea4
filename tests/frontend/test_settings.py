"""Production settings of the public site: deploy checks, secrets, HTTPS behind App Runner."""

import secrets
import subprocess

import pytest

from common.local_servers import PYTHON, ROOT
from tests.frontend.fixtures.served_sites import get

BARE_ENV = {"PATH": "/usr/bin:/bin"}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_settings_import_with_no_environment_at_all():
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'frontend_site.settings'; "
    code += "django.setup(); from django.conf import settings; print(settings.BACKEND_URL)"

    result = run(["-c", code], BARE_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8001"


def test_the_deploy_check_reports_no_issues_with_production_settings():
    env = {
        **BARE_ENV,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": ".awsapprunner.com",
    }
    args = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]

    result = run([*args, "--settings=frontend_site.settings"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "BACKEND_API_KEY"])
def test_the_server_refuses_to_start_in_production_without_its_secrets(missing):
    env = {
        **BARE_ENV,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BACKEND_API_KEY": "a-read-only-key",
    }
    del env[missing]

    result = run(["-c", "import frontend_site.wsgi"], env)

    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_DEBUG is off" in result.stderr.splitlines()[-1]


def test_a_deployment_from_before_still_starts_on_the_shared_token_and_is_told_to_move():
    env = {
        **BARE_ENV,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "BACKEND_SERVICE_TOKEN": "old-shared-token, new-shared-token",
    }
    code = "import frontend_site.wsgi; from django.conf import settings; "
    code += "print(settings.BACKEND_API_KEY)"

    result = run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    *logged, sent = result.stdout.splitlines()
    assert sent == "old-shared-token"  # the first of the list, as the backend rotates
    assert "BACKEND_API_KEY is not set" in "\n".join(logged)


def test_in_production_plain_http_is_redirected_but_the_health_check_still_answers(
    backend_server, make_frontend
):
    frontend = make_frontend(backend_server.url, DJANGO_SECURE_SSL_REDIRECT="true")

    plain = get(frontend, "/", allow_redirects=False)
    proxied = get(frontend, "/", headers={"X-Forwarded-Proto": "https"})
    health = get(frontend, "/healthz", headers={"Host": "10.0.0.7:8080"})

    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")
    assert proxied.status_code == 200
    assert "max-age=31536000" in proxied.headers["Strict-Transport-Security"]
    assert health.status_code == 200
