"""What callers send: every problem is a 400 whose message names the field."""

from __future__ import annotations

import pytest

from backend_site.rankings.api import inputs
from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.models import MAX_SCORE


def refused(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    assert caught.value.status == 400
    return caught.value


@pytest.mark.parametrize(("raw", "value"), [(None, 7), ("", 7), ("0", 0), ("10", 10), (" 3 ", 3)])
def test_a_query_number_falls_back_to_its_default_and_accepts_whole_numbers(raw, value):
    params = {} if raw is None else {"limit": raw}
    assert inputs.query_int(params, "limit", default=7, low=0, high=10) == value


@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", "0x10", "--1", "9" * 40, "1 2"])
def test_a_query_number_that_is_not_a_whole_number_names_its_parameter(raw):
    error = refused(inputs.query_int, {"offset": raw}, "offset", default=0, low=0, high=10)
    assert error.message.startswith("offset:")


@pytest.mark.parametrize("raw", ["-1", "11"])
def test_a_query_number_out_of_bounds_says_the_bounds(raw):
    error = refused(inputs.query_int, {"around": raw}, "around", default=0, low=0, high=10)
    assert error.message == "around: must be between 0 and 10."


@pytest.mark.parametrize("value", ["24323", "a", "A-b_c.d:e", "x" * 64])
def test_a_player_id_of_letters_digits_and_separators_is_accepted(value):
    assert inputs.player_id_clean(value) == value


@pytest.mark.parametrize(
    "value", ["", "x" * 65, "has space", "a/b", "ünï", "abc\n", "\nabc", 24323]
)
def test_any_other_player_id_is_refused(value):
    assert refused(inputs.player_id_clean, value).field == "player_id"


def test_a_name_is_trimmed_and_may_hold_any_printable_unicode():
    assert inputs.name_clean('  O\'Brien "the" 🎮  ') == 'O\'Brien "the" 🎮'
    assert inputs.name_clean("🎮" * 64) == "🎮" * 64
    # Emoji sequences keep their joiner and tag characters.
    coder, scotland = "👩\u200d💻", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert inputs.name_clean(f"{coder} {scotland}") == f"{coder} {scotland}"


@pytest.mark.parametrize(
    "value",
    ["evil\u202egnp.exe", "\u200bAdmin", "Ad\u200bmin", "\ufeffBOM", "left\u2066isolate"],
    ids=["rtl-override", "leading-zero-width", "inner-zero-width", "bom", "isolate"],
)
def test_a_name_with_invisible_formatting_that_could_pass_for_another_is_refused(value):
    error = refused(inputs.name_clean, value)
    assert error.field == "name"
    assert "invisible" in str(error)


@pytest.mark.parametrize("value", ["", "   ", "x" * 65, "tab\there", "nul\x00", "\ud800", 5, None])
def test_an_empty_long_non_text_or_control_character_name_is_refused(value):
    assert refused(inputs.name_clean, value).field == "name"


@pytest.mark.parametrize("value", [0, -1, MAX_SCORE, -MAX_SCORE])
def test_integer_scores_within_2_to_the_53_are_accepted(value):
    assert inputs.score_clean(value) == value


@pytest.mark.parametrize(
    "value", [True, False, 1.0, 1.5, "5", None, [1], MAX_SCORE + 1, -MAX_SCORE - 1, 10**100]
)
def test_booleans_floats_strings_and_out_of_range_scores_are_refused(value):
    assert refused(inputs.score_clean, value).field == "score"


def test_a_submission_is_parsed_from_a_json_object():
    assert inputs.submission_parse(b'{"player_id": "p1", "score": 5, "name": " Zo\\u00eb "}') == (
        inputs.Submission(player_id="p1", score=5, name="Zoë")
    )
    assert inputs.submission_parse(b'{"player_id": "p1", "score": -5, "name": null}').name is None


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"not json", b"\xff\xfe{}", b'{"player_id": "p", "score": 1,}', b"[" * 100_000],
)
def test_a_body_that_is_not_json_is_refused(body):
    assert "valid JSON" in refused(inputs.submission_parse, body).message


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"5", b"null", b'[{"player_id": "p"}]'])
def test_a_body_that_is_not_an_object_is_refused(body):
    assert refused(inputs.submission_parse, body).message == "The body must be a JSON object."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"score": 1}', "player_id"),
        (b'{"player_id": "p"}', "score"),
        (b'{"player_id": "p", "score": 1, "rank": 1}', "rank"),
        (b'{"player_id": 5, "score": 1}', "player_id"),
        (b'{"player_id": "p", "score": "1"}', "score"),
        (b'{"player_id": "p", "score": true}', "score"),
        (b'{"player_id": "p", "score": 1.0}', "score"),
        (b'{"player_id": "p", "score": 1e3}', "score"),
        (b'{"player_id": "p", "score": NaN}', "score"),
        (b'{"player_id": "p", "score": Infinity}', "score"),
        (b'{"player_id": "p", "score": 9007199254740992}', "score"),
        (b'{"player_id": "p", "score": -9007199254740992}', "score"),
        (b'{"player_id": "p", "score": 1, "name": ""}', "name"),
        (b'{"player_id": "p", "score": 1, "name": 7}', "name"),
    ],
)
def test_a_wrong_or_missing_field_is_named_in_the_message(body, field):
    error = refused(inputs.submission_parse, body)
    assert error.field == field
    assert error.message.startswith(f"{field}:")


@pytest.mark.parametrize("digits", ["9" * 5000, "-" + "9" * 5000, "1" + "0" * 30])
def test_a_score_with_thousands_of_digits_is_out_of_range_not_broken_json(digits):
    error = refused(inputs.submission_parse, b'{"player_id": "p", "score": %s}' % digits.encode())
    assert error.field == "score"
    assert "between" in error.message
