"""common.env: each variable read once, with a default, and a clear error naming it."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from common.env import (
    env_bool,
    env_choice,
    env_count,
    env_float,
    env_list,
    env_str,
    require_in_production,
)


def test_env_str_strips_and_falls_back_to_the_default(monkeypatch):
    monkeypatch.setenv("LB_TEST_STR", "  value \n")
    assert env_str("LB_TEST_STR") == "value"
    assert env_str("LB_TEST_UNSET", "fallback") == "fallback"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_knows_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("LB_TEST_BOOL", raw)
    assert env_bool("LB_TEST_BOOL", default=not expected) is expected


def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("LB_TEST_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LB_TEST_BOOL must be one of"):
        env_bool("LB_TEST_BOOL")
    monkeypatch.delenv("LB_TEST_BOOL")
    assert env_bool("LB_TEST_BOOL", default=True) is True


def test_env_float_reads_numbers_and_names_the_variable_when_it_is_not_one(monkeypatch):
    monkeypatch.setenv("LB_TEST_FLOAT", " 2.5 ")
    assert env_float("LB_TEST_FLOAT", 1.0) == 2.5
    monkeypatch.setenv("LB_TEST_FLOAT", "")
    assert env_float("LB_TEST_FLOAT", 1.0) == 1.0
    monkeypatch.setenv("LB_TEST_FLOAT", "two")
    with pytest.raises(ImproperlyConfigured, match="LB_TEST_FLOAT must be a number"):
        env_float("LB_TEST_FLOAT", 1.0)


def test_env_count_reads_a_count_and_names_the_variable_when_it_is_not_one(monkeypatch):
    monkeypatch.setenv("LB_TEST_COUNT", " 8 ")
    assert env_count("LB_TEST_COUNT", 1) == 8
    monkeypatch.setenv("LB_TEST_COUNT", "")
    assert env_count("LB_TEST_COUNT", 3) == 3
    for raw in ("0", "2.5", "many", "-1"):
        monkeypatch.setenv("LB_TEST_COUNT", raw)
        with pytest.raises(ImproperlyConfigured, match="LB_TEST_COUNT must be a whole number"):
            env_count("LB_TEST_COUNT", 1)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("LB_TEST_LIST", " a, b ,,c ,")
    assert env_list("LB_TEST_LIST") == ["a", "b", "c"]
    assert env_list("LB_TEST_UNSET", "x,y") == ["x", "y"]
    assert env_list("LB_TEST_UNSET") == []


def test_production_refuses_to_serve_without_its_secrets_and_names_them():
    required = {"SECRET_KEY": "DJANGO_SECRET_KEY", "TOKENS": "BACKEND_SERVICE_TOKEN"}
    production = SimpleNamespace(DEBUG=False, SECRET_KEY="", TOKENS=["t"])

    with pytest.raises(ImproperlyConfigured, match=r"^DJANGO_SECRET_KEY must be set"):
        require_in_production(production, required)
    require_in_production(SimpleNamespace(DEBUG=False, SECRET_KEY="k", TOKENS=["t"]), required)
    require_in_production(SimpleNamespace(DEBUG=True, SECRET_KEY="", TOKENS=[]), required)


def test_env_choice_takes_one_of_its_words_in_any_case_or_the_default(monkeypatch):
    monkeypatch.setenv("LB_TEST_CHOICE", " JSON ")
    assert env_choice("LB_TEST_CHOICE", ("text", "json"), "text") == "json"
    assert env_choice("LB_TEST_UNSET", ("text", "json"), "text") == "text"


def test_env_choice_refuses_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("LB_TEST_CHOICE", "xml")
    with pytest.raises(ImproperlyConfigured, match="LB_TEST_CHOICE must be one of text/json"):
        env_choice("LB_TEST_CHOICE", ("text", "json"), "text")
