"""rebuild_rankings, simulate, ensure_superuser and export_board."""

import io
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from backend_site.rankings.ranking_index import store
from backend_site.rankings.reads import export, selectors
from tests.backend.conftest import resetting_board

pytestmark = pytest.mark.django_db(transaction=True)


def standings():
    page = selectors.board_top(slug="global", offset=0, limit=100)
    return [(e.rank, e.player_id, e.name, e.score) for e in page.entries]


def test_rebuild_rankings_restores_a_flushed_board_exactly(ranking_redis, capsys):
    call_command("seed", "--players", "200", "--random-seed", "9")
    before = standings()
    ranking_redis.flushdb()

    call_command("rebuild_rankings", "--board", "global")

    assert store.ranking_is_loaded(ranking="global")
    assert standings() == before
    assert "Rebuilt 'global': 200 players" in capsys.readouterr().out


def test_rebuild_rankings_of_an_unknown_board_is_an_error(ranking_redis):
    with pytest.raises(CommandError, match="No leaderboard 'nope'"):
        call_command("rebuild_rankings", "--board", "nope")


def test_a_rebuild_swaps_the_board_in_whole_and_leaves_no_build_keys(ranking_redis):
    call_command("seed", "--players", "50")

    call_command("rebuild_rankings")

    assert not [key for key in ranking_redis.keys("*") if b":build:" in key]


def test_simulate_moves_scores_through_the_services(ranking_redis, capsys):
    call_command("seed", "--random-seed", "2")
    before = {entry[1]: entry[3] for entry in standings()}

    call_command("simulate", "--rate", "200", "--duration", "0.5", "--random-seed", "4")

    after = {entry[1]: entry[3] for entry in standings()}
    assert after != before
    assert all(after[player] >= before[player] for player in before)  # a "best" board
    assert "Submitted" in capsys.readouterr().out


def test_simulate_on_an_empty_board_says_to_seed_first(ranking_redis):
    with pytest.raises(CommandError, match=r"run manage\.py seed"):
        call_command("simulate", "--duration", "0.1")


def test_ensure_superuser_creates_an_admin_once_and_prints_the_password(ranking_redis, capsys):
    call_command("ensure_superuser")
    first = capsys.readouterr().out
    call_command("ensure_superuser")
    second = capsys.readouterr().out

    password = first.split("admin / ")[1].split()[0]
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert password not in second
    assert "Admin login: admin" in second


def test_ensure_superuser_uses_the_django_superuser_variables(ranking_redis, monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password-123")

    call_command("ensure_superuser")

    user = get_user_model().objects.get(username="ops")
    assert user.is_superuser and user.check_password("a-long-password-123")
    assert "a-long-password-123" not in capsys.readouterr().out


def exported_by_the_api() -> str:
    return "".join(export.export_csv(export.board_export(slug="global")))


def test_export_board_writes_what_the_api_exports_to_standard_output(ranking_redis):
    call_command("seed", "--players", "120", "--random-seed", "3")
    out, err = io.StringIO(), io.StringIO()

    call_command("export_board", "global", stdout=out, stderr=err)

    assert out.getvalue() == exported_by_the_api()
    assert out.getvalue().count("\r\n") == 121
    assert "Exported 120 rows of 'global' (all-time) to standard output" in err.getvalue()


def test_export_board_writes_a_file_whole_with_a_progress_bar_on_a_terminal(
    ranking_redis, tmp_path, monkeypatch
):
    call_command("seed", "--players", "30", "--random-seed", "3")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    target = tmp_path / "global.csv"
    err = io.StringIO()

    call_command("export_board", "global", "--output", str(target), stderr=err)

    assert target.read_bytes().decode("utf-8") == exported_by_the_api()
    assert [path.name for path in tmp_path.iterdir()] == ["global.csv"]  # no partial file
    assert "30/30" in terminal.getvalue()  # rows written / total
    assert f"Exported 30 rows of 'global' (all-time) to {target}" in err.getvalue()


def test_export_board_reads_a_past_period(ranking_redis, now):
    resetting_board("g-daily", "daily")
    call_command("seed", "--players", "5", "--board", "g-daily", "--random-seed", "1")
    now.advance(days=1)
    yesterday, today = io.StringIO(), io.StringIO()

    call_command("export_board", "g-daily", "--period", "2026-11-25", stdout=yesterday)
    call_command("export_board", "g-daily", stdout=today, stderr=io.StringIO())

    assert yesterday.getvalue().count("\r\n") == 6
    assert today.getvalue() == "rank,player_id,name,score,reached_at\r\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "No leaderboard 'nope'"),
        (["global", "--period", "yesterday"], "--period must be current, previous or a period"),
        (["global", "--period", "previous"], "never resets"),
    ],
)
def test_export_board_refuses_an_unknown_board_or_period(ranking_redis, args, message, tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=message):
        call_command("export_board", *args, "--output", str(target))
    assert not target.exists()
