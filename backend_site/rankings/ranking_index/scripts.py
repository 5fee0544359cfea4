"""The Lua scripts the rankings run in Redis, from ``lua/*.lua``.

Each script opens with its KEYS/ARGV contract. Pieces several scripts share live in
``lua/lib/``: a script names one with a line ``--#include <piece>``, which the loader
replaces by the piece (itself expanded; each piece once per script). Every script starts
with the key layout's constants (layout.py) as Lua locals, so the files hold no numbers of
their own.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

LUA = Path(__file__).with_name("lua")
_INCLUDE = re.compile(r"^--#include ([a-z_]+)$", re.M)


def source(name: str, constants: dict[str, int | str], *, folder: Path = LUA) -> str:
    """The script ``<folder>/<name>.lua`` (the rankings' ``lua/`` unless told), its pieces
    joined in, after ``constants`` as locals."""
    return source_of(_read(folder / f"{name}.lua"), constants)


def source_of(text: str, constants: dict[str, int | str]) -> str:
    """A script given as ``text`` (a test's), its pieces joined in, after ``constants``."""
    return _preamble(constants) + _expand(text, set())


def _preamble(constants: dict[str, int | str]) -> str:
    if not constants:
        return ""
    values = ", ".join(
        f"'{value}'" if isinstance(value, str) else str(value) for value in constants.values()
    )
    return f"local {', '.join(constants)} = {values}\n"


def _expand(text: str, included: set[str]) -> str:
    def piece(match: re.Match) -> str:
        name = match.group(1)
        if name in included:
            return ""
        included.add(name)
        return _expand(_read(LUA / "lib" / f"{name}.lua"), included)

    return _INCLUDE.sub(piece, text)


@cache
def _read(path: Path) -> str:
    if not path.is_file():
        raise FileNotFoundError(f"No Lua script {path.name} in {path.parent}")
    return path.read_text(encoding="utf-8").rstrip("\n")
