"""manage.py seed: the sample's players, files, the sample's Redis key, and all-or-nothing."""

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from backend_site.rankings.models import Leaderboard, Player, Score
from backend_site.rankings.ranking_index import layout
from backend_site.rankings.reads import selectors
from common.local_servers import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE_NAMES = {"Alice", "Bob", "Carol", "Dan", "Steve"}
# Exactly what the original post stored with redis-cli.
SAMPLE_KEY_VALUE = (
    '[ { "id": "24323", "name": "Alice" }, { "id" : "94566", "name": "Bob"}, '
    '{ "id": "22568", "name": "Carol"}, { "id": "17568", "name": "Dan"},'
    '{ "id": "46168", "name": "Steve"}]'
)


def board_snapshot(redis_client, slug="global"):
    """Everything a seed could change: database rows and the board's Redis keys."""
    rows = sorted(Score.objects.filter(board__slug=slug).values_list("player_id", "value"))
    players = sorted(Player.objects.values_list("player_id", "name"))
    redis_state = {
        key: redis_client.dump(key) for key in sorted(redis_client.scan_iter(f"lb:{{{slug}}}:*"))
    }
    return rows, players, redis_state


def top(slug="global", limit=100):
    return selectors.board_top(slug=slug, offset=0, limit=limit).entries


def test_seed_without_arguments_loads_the_samples_five_players_with_scores_from_1000_to_3000(
    ranking_redis,
):
    call_command("seed", "--random-seed", "7")

    entries = top()
    assert {entry.name for entry in entries} == SAMPLE_NAMES
    assert all(1000 <= entry.score <= 3000 for entry in entries)
    assert [entry.score for entry in entries] == sorted((e.score for e in entries), reverse=True)
    assert entries[0].rank == 1


def test_seeding_twice_never_duplicates_players(ranking_redis):
    call_command("seed")
    call_command("seed")

    assert Player.objects.count() == 5
    assert Score.objects.count() == 5
    assert len(top()) == 5


def test_the_same_random_seed_gives_the_same_scores(ranking_redis):
    call_command("seed", "--random-seed", "42")
    first = [(entry.player_id, entry.score) for entry in top()]
    call_command("seed", "--random-seed", "42")

    assert [(entry.player_id, entry.score) for entry in top()] == first


def test_a_file_in_the_samples_format_is_accepted_and_given_scores_are_kept(
    ranking_redis, tmp_path
):
    path = tmp_path / "players.json"
    path.write_text(
        json.dumps(
            [
                {"id": "1", "name": "O'Brien", "score": 50},
                {"id": "2", "name": "Zoë 🎮", "score": 70},
                {"id": 3, "name": "Numeric id", "score": 60},
            ]
        )
    )

    call_command("seed", "--file", str(path))

    assert [(e.player_id, e.name, e.score) for e in top()] == [
        ("2", "Zoë 🎮", 70),
        ("3", "Numeric id", 60),
        ("1", "O'Brien", 50),
    ]


def test_the_samples_redis_key_is_imported_so_users_of_the_original_can_migrate(ranking_redis):
    ranking_redis.set("leaderboard_data", SAMPLE_KEY_VALUE)

    call_command("seed", "--from-redis-key", "leaderboard_data", "--random-seed", "1")

    assert {entry.name for entry in top()} == SAMPLE_NAMES
    assert set(Player.objects.values_list("player_id", flat=True)) == {
        "24323",
        "94566",
        "22568",
        "17568",
        "46168",
    }


def test_a_missing_redis_key_is_a_clear_error(ranking_redis):
    with pytest.raises(CommandError, match="no key 'leaderboard_data'"):
        call_command("seed", "--from-redis-key", "leaderboard_data")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": "1", "name": "A"}', "JSON array"),
        ("[]", "no players"),
        ('[{"id": "1", "name": "A"}, {"id": "2"}]', "entry 2: missing 'name'"),
        ('[{"id": "1", "name": "A"}, {"id": "bad id!", "name": "B"}]', "entry 2: id"),
        ('[{"id": "1", "name": "A"}, {"id": "1", "name": "B"}]', "more than once"),
        ('[{"id": "1", "name": "A", "score": 1.5}]', "score: must be an integer"),
        ('[{"id": "1", "name": "A", "score": 9007199254740992}]', "score: must be between"),
        ('[{"id": "1", "name": "   "}]', "name: must be 1"),
        ('[{"id": "1", "name": "A", "level": 3}]', "unknown field 'level'"),
        ('["Alice"]', "entry 1: must be an object"),
    ],
)
def test_a_malformed_file_names_the_problem_and_changes_nothing(
    ranking_redis, tmp_path, content, message
):
    call_command("seed", "--random-seed", "3")
    before = board_snapshot(ranking_redis)
    path = tmp_path / "bad.json"
    path.write_text(content)

    with pytest.raises(CommandError, match=message):
        call_command("seed", "--file", str(path), "--reset")

    assert board_snapshot(ranking_redis) == before


def test_a_seed_that_cannot_reach_redis_leaves_the_database_as_it_was(
    ranking_redis, settings, tmp_path
):
    call_command("seed", "--random-seed", "3")
    rows_before = sorted(Score.objects.values_list("player_id", "value"))
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }

    with pytest.raises(CommandError, match="Redis is unavailable"):
        call_command("seed", "--players", "50", "--reset")

    assert sorted(Score.objects.values_list("player_id", "value")) == rows_before
    assert Player.objects.count() == 5


def test_synthetic_players_land_on_the_named_board_which_is_created(ranking_redis):
    call_command("seed", "--players", "300", "--board", "speedrun", "--random-seed", "5")

    board = Leaderboard.objects.get(slug="speedrun")
    assert Score.objects.filter(board=board).count() == 300
    page = selectors.board_top(slug="speedrun", offset=0, limit=100)
    assert page.total == 300
    assert [e.score for e in page.entries] == sorted((e.score for e in page.entries), reverse=True)


def test_reset_removes_the_boards_previous_scores(ranking_redis):
    call_command("seed", "--players", "20")
    call_command("seed", "--reset")

    assert {entry.name for entry in top()} == SAMPLE_NAMES
    assert Score.objects.filter(board__slug="global").count() == 5


def test_if_empty_leaves_a_board_with_scores_alone(ranking_redis):
    call_command("seed", "--random-seed", "1")
    before = board_snapshot(ranking_redis)

    call_command("seed", "--players", "10", "--if-empty")

    assert board_snapshot(ranking_redis) == before


def test_the_command_exits_with_status_1_and_a_message_on_bad_input(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("[1, 2")

    done = subprocess.run(
        [sys.executable, "manage.py", "seed", "--file", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )

    assert done.returncode == 1
    assert "not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr


def test_seeded_entries_are_stored_in_redis_under_the_board(ranking_redis):
    call_command("seed")

    assert ranking_redis.zcard(layout.zset_key("global")) == 5
    for player_id in ("24323", "94566", "22568", "17568", "46168"):
        assert ranking_redis.hexists(layout.names_key("global", player_id), player_id)
