"""The admin: pages render for real data, and edits there keep Redis in step."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard, Player, Score
from backend_site.rankings.reads import selectors
from tests.backend.conftest import make_board, make_score

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client, ranking_redis):
    user = get_user_model().objects.create_superuser("root", "", "a-long-password-123")
    client.force_login(user)
    call_command("seed", "--random-seed", "11")
    return client


def names_on_board():
    return {
        e.player_id: e.name for e in selectors.board_top(slug="global", offset=0, limit=10).entries
    }


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/rankings/player/",
        "/admin/rankings/player/?q=Alice",
        "/admin/rankings/player/24323/change/",
        "/admin/rankings/leaderboard/",
        "/admin/rankings/score/",
        "/admin/rankings/score/?board__id__exact=1&o=3",
        "/admin/rankings/score/add/",
    ],
)
def test_admin_pages_render(admin_client, url):
    response = admin_client.get(url)

    assert response.status_code == 200


def test_the_player_list_shows_score_and_rank_on_global_from_redis(admin_client):
    best = selectors.board_top(slug="global", offset=0, limit=1).entries[0]

    body = admin_client.get(f"/admin/rankings/player/?q={best.player_id}").content.decode()

    assert best.name in body
    assert "1 of 5" in body
    assert str(best.score) in body


def test_the_board_list_shows_player_counts(admin_client):
    body = admin_client.get("/admin/rankings/leaderboard/").content.decode()

    assert '<td class="field-player_count">5</td>' in body


def test_renaming_a_player_in_the_admin_renames_them_on_the_board(admin_client):
    response = admin_client.post(
        "/admin/rankings/player/24323/change/", {"player_id": "24323", "name": "Alicia"}
    )

    assert response.status_code == 302
    assert Player.objects.get(pk="24323").name == "Alicia"
    assert names_on_board()["24323"] == "Alicia"


@pytest.mark.parametrize("name", ["   ", "evil\u202egnp.exe", "tab\there"])
def test_a_name_the_api_would_refuse_is_refused_in_the_admin_too(admin_client, name):
    response = admin_client.post(
        "/admin/rankings/player/24323/change/", {"player_id": "24323", "name": name}
    )

    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["name"]
    assert Player.objects.get(pk="24323").name != name


def test_deleting_a_score_in_the_admin_removes_it_from_the_board(admin_client):
    score = Score.objects.get(player_id="94566")

    response = admin_client.post(f"/admin/rankings/score/{score.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert "94566" not in names_on_board()
    assert selectors.board_top(slug="global", offset=0, limit=10).total == 4


def test_editing_a_score_in_the_admin_moves_the_player(admin_client):
    score = Score.objects.select_related("board").get(player_id="17568")
    data = {
        "board": score.board_id,
        "player": "17568",
        "value": 999_999,
        "achieved_at_0": "2026-01-01",
        "achieved_at_1": "12:00:00",
    }

    response = admin_client.post(f"/admin/rankings/score/{score.pk}/change/", data)

    assert response.status_code == 302, response.content[:2000]
    first = selectors.board_top(slug="global", offset=0, limit=1).entries[0]
    assert (first.player_id, first.score) == ("17568", 999_999)


def test_deleting_players_in_bulk_in_the_admin_takes_them_off_the_board(admin_client):
    response = admin_client.post(
        "/admin/rankings/player/",
        {"action": "delete_selected", "_selected_action": ["24323", "94566"], "post": "yes"},
    )

    assert response.status_code == 302
    assert set(names_on_board()) == {"22568", "17568", "46168"}
    assert not Player.objects.filter(pk__in=["24323", "94566"]).exists()


def board_slugs_listed(client) -> list[str]:
    return [board.slug for board in selectors.leaderboards_overview()]


def test_a_slug_changed_in_the_admin_carries_the_board_and_drops_the_old_one(admin_client):
    board = make_board("weekly", title="Weekly")
    make_score(board, "24323", 70)

    response = admin_client.post(
        f"/admin/rankings/leaderboard/{board.pk}/change/",
        {"slug": "this-week", "title": "Weekly", "order": "desc", "operator": "best"},
    )

    assert response.status_code == 302, response.content[:2000]
    assert "weekly" not in board_slugs_listed(admin_client)
    assert "this-week" in board_slugs_listed(admin_client)
    with pytest.raises(NotFound):
        selectors.board_top(slug="weekly", offset=0, limit=10)
    moved = selectors.board_top(slug="this-week", offset=0, limit=10).entries
    assert [(e.player_id, e.score) for e in moved] == [("24323", 70)]


def test_a_score_moved_to_another_board_in_the_admin_leaves_the_old_board(admin_client):
    other = make_board("other")
    score = Score.objects.get(board__slug="global", player_id="17568")
    data = {
        "board": other.pk,
        "player": "17568",
        "value": 5,
        "achieved_at_0": "2026-01-01",
        "achieved_at_1": "12:00:00",
    }

    response = admin_client.post(f"/admin/rankings/score/{score.pk}/change/", data)

    assert response.status_code == 302, response.content[:2000]
    assert "17568" not in names_on_board()
    assert selectors.board_top(slug="global", offset=0, limit=10).total == 4
    on_other = selectors.board_top(slug="other", offset=0, limit=10).entries
    assert [(e.player_id, e.score) for e in on_other] == [("17568", 5)]


def test_the_default_board_cannot_be_deleted_in_the_admin(admin_client):
    board = Leaderboard.objects.get(slug="global")

    response = admin_client.post(f"/admin/rankings/leaderboard/{board.pk}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        "/admin/rankings/leaderboard/",
        {"action": "delete_selected", "_selected_action": [board.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert bulk.status_code in (200, 302, 403)
    assert Leaderboard.objects.filter(slug="global").exists()
    assert len(names_on_board()) == 5


def test_the_default_board_keeps_its_slug_in_the_admin(admin_client):
    board = Leaderboard.objects.get(slug="global")

    response = admin_client.post(
        f"/admin/rankings/leaderboard/{board.pk}/change/",
        {"slug": "everyone", "title": "Global", "order": "desc", "operator": "best"},
    )

    assert response.status_code == 200  # the form again, with the error
    assert b"keeps its slug" in response.content
    assert Leaderboard.objects.filter(slug="global").exists()
