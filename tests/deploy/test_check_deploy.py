"""Both sites pass Django's deployment checks with the environment App Runner gives them."""

from __future__ import annotations

import subprocess
from functools import partial

import pytest

from common import local_servers
from tests.deploy.definitions import SITES, clean_env, runtime_env

# The environment App Runner would give, all of it and nothing of ours.
manage = partial(local_servers.manage, inherit=False, timeout=120)


def check_deploy(site: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` for the site, failing on warnings, in its App Runner env."""
    settings = f"--settings={SITES[site]}.settings"
    return manage(
        "check", "--deploy", "--fail-level", "WARNING", settings, env=runtime_env(site, **env)
    )


@pytest.mark.parametrize("site", list(SITES))
def test_check_deploy_reports_nothing_under_the_production_environment(site):
    result = check_deploy(site)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("site", list(SITES))
def test_check_deploy_flags_a_site_left_in_debug_mode(site):
    # The same check, with DEBUG on, must complain: proof it is looking at these settings.
    result = check_deploy(site, DJANGO_DEBUG="true")

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


@pytest.mark.parametrize("site", list(SITES))
def test_settings_import_with_no_environment_at_all_as_build_steps_need(site):
    result = manage("check", f"--settings={SITES[site]}.settings", env=clean_env())

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("site", list(SITES))
def test_settings_import_in_production_mode_without_secrets_for_collectstatic(site):
    env = {**clean_env(), "DJANGO_DEBUG": "false"}

    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STATIC_ROOT)",
        f"--settings={SITES[site]}.settings",
        env=env,
    )

    assert result.returncode == 0, result.stdout + result.stderr
