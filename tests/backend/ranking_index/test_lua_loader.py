"""The Lua scripts' loader (ranking_index/scripts.py): each script file opens with its
KEYS/ARGV contract, pieces are joined in once where a script names them, and the layout's
constants come first. Pure: no Redis needed."""

from __future__ import annotations

import re

import pytest

from backend_site.rankings.ranking_index import layout, scripts

SCRIPTS = sorted(path.stem for path in scripts.LUA.glob("*.lua"))


def test_there_are_scripts_and_pieces():
    assert {"page", "standing", "apply", "repair", "swap", "drop", "expire"} <= set(SCRIPTS)
    assert (scripts.LUA / "lib" / "names_key.lua").is_file()


@pytest.mark.parametrize("name", SCRIPTS)
def test_each_script_opens_with_its_contract(name):
    head = (scripts.LUA / f"{name}.lua").read_text().splitlines()[:6]
    assert head[0].startswith("-- ")
    assert re.search(r"KEYS|ARGV", "\n".join(head)), f"{name}.lua: say its KEYS and ARGV first"


@pytest.mark.parametrize("name", SCRIPTS)
def test_each_script_is_whole_once_loaded(name):
    source = scripts.source(name, layout.LUA_CONSTANTS)
    assert "--#include" not in source
    assert source.startswith("local LAYOUT, SEQ_BYTES, VERSION_BYTES, SUB_BYTES, TIE_BYTES, ")
    for function in re.findall(r"local function (\w+)", source):
        assert source.count(f"local function {function}(") == 1, f"{function} twice in {name}"


def test_a_piece_named_twice_is_joined_in_once():
    source = scripts.source_of("--#include put\n--#include names_key\nreturn 1", {"A": 1})
    assert source.count("local function names_key(") == 1  # put includes it already
    assert source.startswith("local A = 1\n")


def test_constants_are_given_as_lua_values():
    assert scripts.source_of("return X", {"X": "2", "Y": 8}) == "local X, Y = '2', 8\nreturn X"


def test_an_unknown_piece_is_an_error():
    with pytest.raises(FileNotFoundError, match=r"nope\.lua"):
        scripts.source_of("--#include nope", {})


def test_no_python_file_of_the_backend_holds_lua():
    backend_site = scripts.LUA.parents[2]
    found = [str(path) for path in backend_site.rglob("*.py") if "redis.call(" in path.read_text()]
    assert found == []
