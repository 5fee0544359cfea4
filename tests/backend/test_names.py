"""Honest names: a name shows something and nothing that hides or breaks a line; a name that
looks like another player's on a board they share is accepted and marked for review. The
rules hold in the API (single and batch), the admin and seed."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from backend_site.audit.models import AuditEntry
from backend_site.rankings import names
from backend_site.rankings.api.inputs import name_clean
from backend_site.rankings.errors import InvalidInput
from backend_site.rankings.models import Player
from tests.backend.conftest import make_board

REFUSED = {
    "\u2800": "visible",  # Braille blank
    "\u3164": "visible",  # Hangul filler
    "\u115f\u1160": "visible",
    "\u0301": "combining mark",  # a lone combining acute accent
    "a \u0301": "combining mark",
    "\ufe0f": "variation selector",  # a lone emoji presentation selector
    "\uffff": "noncharacter",
    "ab\ufdd0": "noncharacter",
    "\ue000": "private-use",
    "Ann\u2028Bob": "one line",
    "Ann\u2029Bob": "one line",
}
ACCEPTED = [
    "Zoë",
    "Zoe\u0308",
    "👩\u200d💻 dev",
    "❤️",
    "🇫🇷 Léa",
    "🏴\U000e0067\U000e0062\U000e007f",
    "日本語",
    "O'Brien",
]


@pytest.mark.parametrize(("name", "why"), REFUSED.items())
def test_a_name_that_shows_nothing_or_hides_or_breaks_is_refused_saying_why(name, why):
    with pytest.raises(InvalidInput) as refused:
        name_clean(name)

    assert why in refused.value.message
    assert refused.value.field == "name"


@pytest.mark.parametrize("name", ACCEPTED)
def test_letters_accents_and_emoji_sequences_are_accepted(name):
    assert name_clean(name) == name


def test_lookalike_names_share_a_skeleton_and_different_ones_do_not():
    assert names.skeleton("Аlice") == names.skeleton("Alice")  # Cyrillic А
    assert names.skeleton("ⅠIya") == names.skeleton("llya")
    assert names.skeleton("Alice") != names.skeleton("Alicia")


@pytest.mark.parametrize("name", ["\u2800", "\ufe0f", "\ue000", "a\u2028b"])
def test_the_api_refuses_such_names_in_single_and_batch_submissions(api, global_board, name):
    single = api.post(
        "/api/v1/leaderboards/global/scores",
        {"player_id": "p1", "score": 5, "name": name},
        content_type="application/json",
    )
    batch = api.post(
        "/api/v1/scores/batch",
        {"scores": [{"leaderboard": "global", "player_id": "p1", "score": 5, "name": name}]},
        content_type="application/json",
    )

    assert single.status_code == batch.status_code == 400
    assert single.json()["error"]["code"] == batch.json()["error"]["code"]
    assert "name" in batch.json()["error"]["message"]
    assert not Player.objects.filter(pk="p1").exists()


def submit(api, player_id: str, name: str, board: str = "global"):
    response = api.post(
        f"/api/v1/leaderboards/{board}/scores",
        {"player_id": player_id, "score": 5, "name": name},
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    return Player.objects.get(pk=player_id)


def test_a_name_posing_as_another_players_on_the_same_board_is_accepted_and_marked(
    api, global_board
):
    alice = submit(api, "alice", "Alice")
    namesake = submit(api, "alice-2", "Alice")  # the same name is not a pose
    poser = submit(api, "poser", "Аlice")  # Cyrillic А

    assert poser.name == "Аlice" and poser.confusable_with == "alice"
    assert alice.confusable_with == "" and namesake.confusable_with == ""
    assert Player.objects.get(pk="poser").name_skeleton == alice.name_skeleton


def test_a_lookalike_on_another_board_only_is_not_marked(api, global_board):
    make_board("other")
    submit(api, "alice", "Alice")
    elsewhere = submit(api, "poser", "Аlice", board="other")

    assert elsewhere.confusable_with == ""


def test_a_batch_marks_its_lookalikes_too(api, global_board):
    submit(api, "alice", "Alice")
    response = api.post(
        "/api/v1/scores/batch",
        {
            "scores": [
                {"leaderboard": "global", "player_id": "poser", "score": 3, "name": "Alicе"},
                {"leaderboard": "global", "player_id": "bob", "score": 4, "name": "Bob"},
            ]
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    marked = dict(Player.objects.values_list("player_id", "confusable_with"))
    assert marked == {"alice": "", "poser": "alice", "bob": ""}


@pytest.mark.django_db(transaction=True)
def test_seed_refuses_such_names_and_marks_lookalikes(ranking_redis, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "1", "name": "\u3164", "score": 5}]))
    with pytest.raises(CommandError, match="visible"):
        call_command("seed", "--file", str(bad))

    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            [
                {"id": "1", "name": "Alice", "score": 5},
                {"id": "2", "name": "Аlice", "score": 6},
                {"id": "3", "name": "Bob", "score": 7},
            ]
        )
    )
    call_command("seed", "--file", str(good))

    marked = dict(Player.objects.values_list("player_id", "confusable_with"))
    assert marked["3"] == ""
    assert {marked["1"], marked["2"]} == {"2", "1"}


@pytest.fixture
def admin_client(client, ranking_redis):
    user = get_user_model().objects.create_superuser("root", "", "a-long-password-123")
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_the_admin_refuses_such_names_marks_a_rename_and_lists_and_clears_marks(
    admin_client, api, global_board
):
    submit(api, "alice", "Alice")
    submit(api, "bob", "Bob")

    refused = admin_client.post(
        "/admin/rankings/player/bob/change/", {"player_id": "bob", "name": "\u2800"}
    )
    renamed = admin_client.post(
        "/admin/rankings/player/bob/change/", {"player_id": "bob", "name": "Аlice"}
    )
    listed = admin_client.get("/admin/rankings/player/?lookalike=yes").content.decode()
    cleared = admin_client.post(
        "/admin/rankings/player/",
        {"action": "lookalike_clear", "_selected_action": ["bob"]},
    )

    assert refused.status_code == 200 and "visible" in str(refused.context["adminform"].form.errors)
    assert renamed.status_code == 302
    assert "bob" in listed and "/admin/rankings/player/alice/change/" not in listed
    assert cleared.status_code == 302
    assert Player.objects.get(pk="bob").confusable_with == ""
    audited = AuditEntry.objects.get(action="player.lookalike_clear")
    assert (audited.target, audited.detail) == ("player:bob", {"looked_like": "alice"})
    assert audited.actor.startswith("admin:")
