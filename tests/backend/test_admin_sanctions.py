"""Hiding, banning and lifting players from the admin: the actions go through the sanctions
service, so the player leaves (and comes back to) the API's boards at once, and each change is
audited once, by ``admin:<username>``; the sanctions themselves are read only in the admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

from backend_site.audit.models import AuditEntry
from backend_site.rankings.calendar import clock
from backend_site.rankings.models import Player, Sanction
from backend_site.rankings.writes import sanctions
from tests.backend.conftest import make_scores

pytestmark = pytest.mark.django_db(transaction=True)

PLAYERS = "/admin/rankings/player/"
SANCTIONS = "/admin/rankings/sanction/"
ACTOR = "admin:mod-ann"


@pytest.fixture
def admin_client(global_board) -> Client:
    """A superuser's client, with ann, bob and cy on the global board (in that order)."""
    user = get_user_model().objects.create_superuser("mod-ann", "", "a-long-password-123")
    client = Client()
    client.force_login(user)
    make_scores(global_board, {"ann": 300, "bob": 200, "cy": 100})
    return client


def act(client: Client, action: str, player_ids: list[str], **form):
    """Run a player action as the changelist does; with ``form``, as its confirmation page
    posts it back (``apply``)."""
    data = {"action": action, "_selected_action": player_ids}
    data.update({"apply": "yes", **form} if form else {"index": "0"})
    return client.post(PLAYERS, data)


def said(response) -> str:
    """The message this request left for the next page (the last one queued)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def on_board(api: Client) -> list[tuple[str, int]]:
    answer = api.get("/api/v1/leaderboards/global/entries")
    assert answer.status_code == 200, answer.content
    return [(entry["player_id"], entry["rank"]) for entry in answer.json()["entries"]]


def audited() -> list[tuple[str, str, str]]:
    """The audit log of sanctions and admin changes, oldest first."""
    entries = AuditEntry.objects.filter(action__regex=r"^(sanction|admin)\.").order_by("id")
    return [(e.actor, e.action, e.target) for e in entries]


def test_hiding_a_player_asks_for_a_reason_and_takes_them_off_the_board(admin_client, api):
    asked = act(admin_client, "hide", ["bob"])

    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/rankings/player/sanction_confirm.html"
    assert 'name="reason"' in asked.content.decode()
    assert not Sanction.objects.exists()  # nothing happens before the moderator confirms
    assert on_board(api) == [("ann", 1), ("bob", 2), ("cy", 3)]

    done = act(admin_client, "hide", ["bob"], reason="impossible scores", until="")

    assert done.status_code == 302
    assert said(done) == "Hid 1 player(s)."
    assert on_board(api) == [("ann", 1), ("cy", 2)]
    assert api.get("/api/v1/leaderboards/global/entries").json()["total"] == 2
    sanction = Sanction.objects.get()
    assert (sanction.player_id, sanction.action, sanction.reason) == (
        "bob",
        "hide",
        "impossible scores",
    )
    assert (sanction.created_by, sanction.until, sanction.ended_at) == (ACTOR, None, None)
    assert Player.objects.filter(player_id="bob", hidden=True, banned=False).exists()
    # Once, by the moderator: no admin.change copy of the admin's own log beside it.
    assert audited() == [(ACTOR, "sanction.create", "player:bob")]
    assert AuditEntry.objects.get(action="sanction.create").detail["reason"] == "impossible scores"


def test_banning_players_with_an_end_bans_each_of_them_until_then(admin_client, api):
    done = act(admin_client, "ban", ["ann", "cy"], reason="bot", until="2099-01-02T03:04")

    assert done.status_code == 302
    assert said(done) == "Banned 2 player(s)."
    assert on_board(api) == [("bob", 1)]
    assert set(Player.objects.filter(banned=True, hidden=True).values_list("pk", flat=True)) == {
        "ann",
        "cy",
    }
    until = datetime(2099, 1, 2, 3, 4, tzinfo=UTC)
    made = Sanction.objects.order_by("player_id")
    assert [(s.player_id, s.action, s.until, s.created_by) for s in made] == [
        ("ann", "ban", until, ACTOR),
        ("cy", "ban", until, ACTOR),
    ]
    refused = api.post(
        "/api/v1/leaderboards/global/scores",
        {"player_id": "ann", "score": 999},
        content_type="application/json",
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "player_banned")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"reason": "", "until": ""}, "reason"),
        ({"reason": "bell\x07", "until": ""}, "reason"),  # the API's rule for a reason
        ({"reason": "cheat", "until": "2020-01-01T00:00"}, "until"),  # past: the service's rule
        ({"reason": "cheat", "until": "soon"}, "until"),
    ],
)
def test_a_refused_form_comes_back_with_the_error_and_sanctions_nobody(
    admin_client, api, form, field
):
    response = act(admin_client, "hide", ["ann", "bob"], **form)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Sanction.objects.exists()
    assert not Player.objects.filter(hidden=True).exists()
    assert on_board(api) == [("ann", 1), ("bob", 2), ("cy", 3)]
    assert audited() == []


def test_lifting_brings_the_players_back_and_records_each_lift(admin_client, api):
    act(admin_client, "hide", ["ann"], reason="looking", until="")
    act(admin_client, "ban", ["bob"], reason="bot", until="")
    act(admin_client, "hide", ["bob"], reason="and hidden", until="")  # two on bob
    assert on_board(api) == [("cy", 1)]

    done = act(admin_client, "lift", ["ann", "bob", "cy"])

    assert done.status_code == 302
    assert said(done) == "Lifted 3 sanction(s) of 2 player(s)."
    assert on_board(api) == [("ann", 1), ("bob", 2), ("cy", 3)]
    assert not Player.objects.filter(hidden=True).exists()
    assert not Player.objects.filter(banned=True).exists()
    assert set(Sanction.objects.values_list("ended_by", flat=True)) == {ACTOR}
    lifts = [entry for entry in audited() if entry[1] == "sanction.lift"]
    assert sorted(lifts) == [
        (ACTOR, "sanction.lift", "player:ann"),
        (ACTOR, "sanction.lift", "player:bob"),
        (ACTOR, "sanction.lift", "player:bob"),
    ]
    assert not [entry for entry in audited() if entry[1].startswith("admin.")]


def test_lifting_players_without_a_sanction_says_so_and_changes_nothing(admin_client, api):
    done = act(admin_client, "lift", ["ann"])

    assert done.status_code == 302
    assert said(done) == "None of the selected players had a sanction in force."
    assert audited() == []


def test_the_player_list_shows_and_filters_the_flags(admin_client):
    act(admin_client, "ban", ["cy"], reason="bot", until="")

    hidden = admin_client.get(PLAYERS, {"hidden__exact": "1"})
    visible = admin_client.get(PLAYERS, {"hidden__exact": "0"})

    assert [p.player_id for p in hidden.context["cl"].result_list] == ["cy"]
    assert [p.player_id for p in visible.context["cl"].result_list] == ["ann", "bob"]
    assert '<td class="field-banned">' in hidden.content.decode()


def test_the_player_page_shows_their_sanctions_read_only(admin_client):
    act(admin_client, "hide", ["ann"], reason="strange name", until="")

    page = admin_client.get(f"{PLAYERS}ann/change/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "strange name" in body
    assert ACTOR in body
    (inline,) = page.context["inline_admin_formsets"]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission


def test_renaming_a_hidden_player_keeps_their_sanction_and_them_off_the_board(admin_client, api):
    act(admin_client, "hide", ["ann"], reason="looking", until="")
    sanction = Sanction.objects.get()
    # What a browser posts: the player's fields and the sanctions' (read only) formset.
    form = {
        "player_id": "ann",
        "name": "Annie",
        "sanctions-TOTAL_FORMS": "1",
        "sanctions-INITIAL_FORMS": "1",
        "sanctions-MIN_NUM_FORMS": "0",
        "sanctions-MAX_NUM_FORMS": "1000",
        "sanctions-0-id": str(sanction.pk),
        "sanctions-0-player": "ann",
    }

    response = admin_client.post(f"{PLAYERS}ann/change/", form)

    assert response.status_code == 302, response.content[:2000]
    assert Player.objects.get(pk="ann").name == "Annie"
    sanction.refresh_from_db()
    assert (sanction.reason, sanction.ended_at) == ("looking", None)
    assert Player.objects.filter(player_id="ann", hidden=True).exists()
    assert on_board(api) == [("bob", 1), ("cy", 2)]


def test_the_sanction_admin_lists_and_filters_but_refuses_add_change_and_delete(admin_client):
    act(admin_client, "ban", ["ann"], reason="bot", until="")
    act(admin_client, "hide", ["bob"], reason="looking", until="")
    act(admin_client, "lift", ["bob"])
    ban = Sanction.objects.get(action="ban")

    def listed(**params) -> list[str]:
        response = admin_client.get(SANCTIONS, params)
        assert response.status_code == 200
        return [s.player_id for s in response.context["cl"].result_list]

    assert sorted(listed()) == ["ann", "bob"]
    assert listed(state="in_force") == ["ann"]
    assert listed(state="ended") == ["bob"]
    assert listed(action__exact="hide") == ["bob"]

    assert admin_client.get(f"{SANCTIONS}add/").status_code == 403
    change = admin_client.post(f"{SANCTIONS}{ban.pk}/change/", {"reason": "x", "action": "hide"})
    assert change.status_code == 403
    assert admin_client.post(f"{SANCTIONS}{ban.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        SANCTIONS, {"action": "delete_selected", "_selected_action": [ban.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)  # the action is not offered: nothing is done
    ban.refresh_from_db()
    assert (ban.action, ban.reason, ban.ended_at) == ("ban", "bot", None)
    assert Sanction.objects.count() == 2
    assert Player.objects.filter(player_id="ann", banned=True).exists()


def test_a_sanction_past_its_end_shows_as_ended_and_the_player_is_back(
    admin_client, api, monkeypatch
):
    until = clock.now() + timedelta(hours=1)
    act(admin_client, "hide", ["ann"], reason="cool off", until=f"{until:%Y-%m-%dT%H:%M}")
    assert on_board(api) == [("bob", 1), ("cy", 2)]
    later = clock.now() + timedelta(hours=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    sanctions.due_forget()  # look at the database now, not in CHECK_SECONDS

    ended = admin_client.get(SANCTIONS, {"state": "ended"})

    (sanction,) = ended.context["cl"].result_list
    assert (sanction.player_id, sanction.ended_by) == ("ann", sanctions.EXPIRY_ACTOR)
    assert not Player.objects.filter(hidden=True).exists()
    assert on_board(api) == [("ann", 1), ("bob", 2), ("cy", 3)]
