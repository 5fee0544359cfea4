"""manage.py verify_rankings finds drift injected straight into Redis, and --repair mends it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from backend_site.rankings.ranking_index import builds, layout
from backend_site.rankings.reads import selectors
from backend_site.rankings.writes import services
from tests.backend.conftest import make_board, make_scores

pytestmark = pytest.mark.django_db(transaction=True)


def verify(*args: str, capsys) -> tuple[int, str]:
    try:
        call_command("verify_rankings", *args)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().out


def standings(slug: str = "global") -> list[tuple]:
    page = selectors.board_top(slug=slug, offset=0, limit=100)
    return [(e.rank, e.player_id, e.name, e.score) for e in page.entries]


@pytest.fixture
def boards(global_board, ranking_redis):
    make_scores(global_board, {"a": 50, "b": 40, "c": 40, "d": 10})
    other = make_board("other", order="asc")
    make_scores(other, {"x": 3, "y": 4})
    return standings(), standings("other")


def test_a_board_redis_holds_exactly_passes(boards, capsys):
    code, out = verify(capsys=capsys)

    assert code == 0
    assert "global: 4 players, no drift." in out
    assert "other: 2 players, no drift." in out


def test_every_kind_of_drift_is_found_and_repaired_in_place(boards, ranking_redis, capsys):
    before, _ = boards
    z = layout.zset_key("global")
    members = dict(ranking_redis.zrange(z, 0, -1, withscores=True))
    by_id = {member[8:].decode(): member for member in members}
    ranking_redis.zadd(z, {by_id["a"]: -999})  # a wrong score
    ranking_redis.zrem(z, by_id["d"])  # a missing entry
    ranking_redis.zadd(z, {b"\x00" * 8 + b"intruder": -1})  # an entry the database lacks
    # c reached 40 after b: swap their moments and the tie order goes wrong
    b_record = ranking_redis.hget(layout.names_key("global", "b"), "b")
    c_record = ranking_redis.hget(layout.names_key("global", "c"), "c")
    ranking_redis.zrem(z, by_id["c"])
    ranking_redis.zadd(z, {b"\x00" * 8 + b"c": -40})
    ranking_redis.hset(
        layout.names_key("global", "c"), "c", c_record[:8] + b"\x00" * 8 + b"Player c"
    )
    ranking_redis.hset(layout.names_key("global", "b"), "b", b_record[:16] + b"Mallory")  # a name

    code, out = verify("--board", "global", capsys=capsys)

    assert code == 1
    line = next(line for line in out.splitlines() if line.startswith("global:"))
    for kind in ("1 missing", "1 extra", "1 score", "1 order", "1 name"):
        assert kind in line

    code, out = verify("--board", "global", "--repair", capsys=capsys)

    assert code == 0, out
    assert "repaired" in out and "no drift" in out
    assert standings() == before
    assert verify(capsys=capsys)[0] == 0


def test_a_board_redis_lost_or_no_longer_in_the_database_is_drift(boards, ranking_redis, capsys):
    builds.ranking_forget(ranking="other")
    ranking_redis.sadd(layout.BOARDS_KEY, "gone")
    ranking_redis.hset(
        layout.meta_key("gone"),
        mapping={"title": "Gone", "order": "desc", "operator": "best", "layout": layout.LAYOUT},
    )

    code, out = verify(capsys=capsys)

    assert code == 1
    assert "other: not loaded in Redis" in out
    assert "gone: in Redis but not in the database." in out
    code, out = verify("--repair", capsys=capsys)
    assert code == 0
    assert "gone" not in [board.slug for board in selectors.leaderboards_overview()]
    assert verify(capsys=capsys)[0] == 0


def test_an_unknown_board_is_a_command_error(boards):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("verify_rankings", "--board", "nope")


def test_metadata_lost_or_changed_in_redis_is_drift_and_repaired(
    global_board, ranking_redis, capsys
):
    services.score_submit(board=global_board, player_id="a", score=5, name="A", metadata='{"r":1}')
    services.score_submit(board=global_board, player_id="b", score=6, name="B", metadata='{"r":2}')
    a_key, b_key = layout.names_key("global", "a"), layout.names_key("global", "b")
    a_record, b_record = ranking_redis.hget(a_key, "a"), ranking_redis.hget(b_key, "b")
    ranking_redis.hset(a_key, "a", a_record[: a_record.rindex(b"\x00{")])  # lost
    ranking_redis.hset(b_key, "b", b_record.replace(b'"r":2', b'"r":9'))  # changed

    code, out = verify("--board", "global", capsys=capsys)

    assert code == 1
    assert "2 metadata" in out
    assert verify("--board", "global", "--repair", capsys=capsys)[0] == 0
    assert (ranking_redis.hget(a_key, "a"), ranking_redis.hget(b_key, "b")) == (a_record, b_record)
