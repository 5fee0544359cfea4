"""The CSV export of a board's standings (reads/export.py, db/export_rows.py): the same rows,
ranks and order as the API's pages, from the database in chunks, in one snapshot."""

from __future__ import annotations

import csv
import io
import math
import re
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard, Player, Score
from backend_site.rankings.reads import export, selectors
from backend_site.rankings.writes import sanctions
from tests.backend.conftest import (
    in_transaction,
    make_board,
    make_player,
    make_score,
    make_scores,
    resetting_board,
)

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["rank", "player_id", "name", "score", "reached_at"]


def exported(slug: str, period: str = "current", *, chunk: int = export.CHUNK) -> list[list[str]]:
    """The export's CSV, parsed back: the header, then a row per entry."""
    found = export.board_export(slug=slug, period=period)
    text = "".join(export.export_csv(found, chunk=chunk))
    return list(csv.reader(io.StringIO(text, newline="")))


def as_entries(rows: list[list[str]]) -> list[tuple[int, str, str, int]]:
    """(rank, player_id, name, score) of each row after the header."""
    assert rows[0] == HEADER
    return [(int(rank), pid, name, int(score)) for rank, pid, name, score, _ in rows[1:]]


def pages(slug: str, period: str = "current") -> list[tuple[int, str, str, int]]:
    """Every entry the API's pages give, page after page (from Redis)."""
    found, offset = [], 0
    while True:
        page = selectors.board_top(slug=slug, offset=offset, limit=7, period=period)
        found += [(e.rank, e.player_id, e.name, e.score) for e in page.entries]
        offset += 7
        if offset >= page.total:
            return found


def hide(player_id: str) -> None:
    sanctions.sanction_create(
        player_id=player_id, action="hide", reason="test", until=None, actor="test"
    )


# --- the same standings as every read -------------------------------------------------------


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_ties_share_a_rank_the_next_skips_and_whoever_got_there_first_leads(
    ranking_redis, transactional_db, order
):
    board = make_board("tied", order=order)
    # Submitted in this order: among equal scores, the earlier comes first.
    make_scores(board, {"late": 50, "b": 70, "a": 70, "c": 30, "d": 70, "e": 30})
    rows = as_entries(exported("tied"))

    expected = {
        "desc": [(1, "b", 70), (1, "a", 70), (1, "d", 70), (4, "late", 50), (5, "c", 30),
                 (5, "e", 30)],
        "asc": [(1, "c", 30), (1, "e", 30), (3, "late", 50), (4, "b", 70), (4, "a", 70),
                (4, "d", 70)],
    }[order]  # fmt: skip
    assert [(rank, pid, score) for rank, pid, _, score in rows] == expected
    assert rows == pages("tied")


def test_equal_scores_reached_at_the_same_moment_are_ordered_by_player_id(
    ranking_redis, transactional_db, now
):
    # The clock stands still: every score is reached at the same microsecond, as in a
    # batch, and Redis then orders them by player id.
    board = make_board("same-moment")
    make_scores(board, {"p-b": 5, "p_a": 5, "p.c": 5, "P9": 5, "p:d": 9})
    rows = as_entries(exported("same-moment"))
    assert [pid for _, pid, _, _ in rows] == ["p:d", "P9", "p-b", "p.c", "p_a"]
    assert rows == pages("same-moment")


ladder = st.lists(st.tuples(st.integers(0, 14), st.integers(-3, 3)), min_size=0, max_size=30)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.sampled_from(["desc", "asc"]),
    operator=st.sampled_from(["best", "latest", "increment"]),
    steps=ladder,
    hidden=st.sets(st.integers(0, 14), max_size=4),
    chunk=st.integers(1, 6),
)
def test_any_board_exports_exactly_what_its_pages_show_in_chunks_of_any_size(
    ranking_redis, order, operator, steps, hidden, chunk
):
    ranking_redis.flushdb()
    Score.objects.all().delete()
    Player.objects.all().delete()
    Leaderboard.objects.exclude(slug="global").delete()
    board = make_board("prop", order=order, operator=operator)
    for player, score in steps:
        make_score(board, f"p{player}", score)
    for player in hidden:
        if Player.objects.filter(player_id=f"p{player}").exists():
            hide(f"p{player}")

    whole = exported("prop")
    assert as_entries(whole) == pages("prop")
    assert exported("prop", chunk=chunk) == whole


def test_reached_at_is_when_the_score_was_reached_in_iso_8601_utc(ranking_redis, global_board):
    make_scores(global_board, {"a": 10, "b": 20})
    rows = exported("global")
    stored = {s.player_id: s.achieved_at for s in Score.objects.filter(board=global_board)}
    for _, player_id, _, _, reached_at in rows[1:]:
        assert reached_at.endswith("+00:00")
        assert reached_at == stored[player_id].isoformat()


def test_hidden_players_are_left_out_and_everyone_is_ranked_without_them(
    ranking_redis, global_board
):
    make_scores(global_board, {"cheat": 99, "a": 50, "b": 50, "c": 40, "ghost": 40, "d": 10})
    hide("cheat")
    hide("ghost")
    rows = as_entries(exported("global"))
    assert [(rank, pid) for rank, pid, _, _ in rows] == [(1, "a"), (1, "b"), (3, "c"), (4, "d")]
    assert rows == pages("global")


def test_a_past_period_exports_its_own_rows(ranking_redis, global_board, now):
    resetting_board("g-daily", "daily", source=global_board)
    make_scores(global_board, {"ann": 10, "bob": 20})
    now.advance(days=1)
    make_scores(global_board, {"cy": 30, "ann": 40})

    yesterday = export.board_export(slug="g-daily", period="previous")
    assert yesterday.filename == "g-daily-2026-11-25.csv"
    assert as_entries(exported("g-daily", "previous")) == [
        (1, "bob", "Player bob", 20),
        (2, "ann", "Player ann", 10),
    ]
    assert exported("g-daily", "2026-11-25") == exported("g-daily", "previous")
    assert as_entries(exported("g-daily")) == [
        (1, "ann", "Player ann", 40),
        (2, "cy", "Player cy", 30),
    ]
    assert export.board_export(slug="g-daily").filename == "g-daily-2026-11-26.csv"
    assert export.board_export(slug="global").filename == "global-all-time.csv"


# --- what a CSV reader and a spreadsheet see -----------------------------------------------


def test_names_are_quoted_where_needed_and_formulas_are_not_run(ranking_redis, global_board):
    # Written straight to the table: the API refuses some of these (a newline, a leading
    # tab), but the export must not trust that every name went through it.
    names = {
        "comma": "Smith, John",
        "quote": 'The "Best"',
        "newline": "two\nlines",
        "crlf": "a\r\nb",
        "equals": '=HYPERLINK("http://x")',
        "plus": "+1+1",
        "minus": "-2+3",
        "at": "@SUM(A1)",
        "tab": "\tpadded",
        "cr": "\rreturn",
        "inner": "a=b+c-d@e",
        "emoji": "Zoë 🎮",
    }
    for number, (player_id, name) in enumerate(names.items()):
        make_player(player_id, name)
        make_score(global_board, player_id, number)

    rows = {row[1]: row for row in exported("global")[1:]}

    for player_id in ("comma", "quote", "newline", "crlf", "inner", "emoji"):
        assert rows[player_id][2] == names[player_id]
    for player_id in ("equals", "plus", "minus", "at", "tab", "cr"):
        assert rows[player_id][2] == "'" + names[player_id]
    text = "".join(export.export_csv(export.board_export(slug="global")))
    assert '"Smith, John"' in text
    assert '"The ""Best"""' in text
    assert text.startswith("rank,player_id,name,score,reached_at\r\n")
    assert text.count("\r\n") == len(names) + 1 + 1  # the rows, the header, the name "a\r\nb"


def test_an_empty_board_gives_the_header_alone(ranking_redis, global_board):
    found = export.board_export(slug="global")
    assert list(export.export_csv(found)) == ["rank,player_id,name,score,reached_at\r\n"]


def test_an_unknown_board_or_a_period_it_never_had_is_not_found(ranking_redis, global_board, now):
    resetting_board("g-weekly", "weekly")
    with pytest.raises(NotFound, match="nope"):
        export.board_export(slug="nope")
    with pytest.raises(NotFound):
        export.board_export(slug="global", period="previous")  # never resets
    with pytest.raises(NotFound):
        export.board_export(slug="g-weekly", period="2027-W01")  # in the future


# --- chunks and memory ----------------------------------------------------------------------


def test_the_rows_are_read_a_chunk_at_a_time_never_all_at_once(ranking_redis, global_board):
    # 23 players in runs of equal scores, so chunks end inside a run and between runs.
    make_scores(global_board, {f"p{n:02d}": n // 3 for n in range(23)})
    found = export.board_export(slug="global")
    whole = "".join(export.export_csv(found, chunk=1000))

    with CaptureQueriesContext(connection) as queries:
        parts = list(export.export_csv(found, chunk=5))
    reads = [q["sql"] for q in queries.captured_queries if "JOIN" in q["sql"]]

    assert "".join(parts) == whole
    # One string per chunk of at most 5 rows (the header rides with the first).
    assert [part.count("\r\n") for part in parts] == [6, 5, 5, 5, 3]
    # Each query asks for at most a chunk; there are as many as there are chunks, or up to
    # twice that (continuing a run of equal scores, then past it).
    assert all(int(re.search(r"LIMIT (\d+)", sql)[1]) <= 5 for sql in reads)
    assert math.ceil(23 / 5) <= len(reads) <= 2 * math.ceil(23 / 5)


def test_a_chunk_that_ends_inside_a_long_run_of_equal_scores_carries_its_rank_on(
    ranking_redis, global_board
):
    make_scores(global_board, {"top": 9, **{f"t{n:02d}": 5 for n in range(12)}, "last": 1})
    rows = as_entries(exported("global", chunk=4))
    assert [rank for rank, *_ in rows] == [1] + [2] * 12 + [14]
    assert rows == pages("global")


def test_counted_is_told_the_rows_first_and_written_each_chunk(ranking_redis, global_board):
    make_scores(global_board, {f"p{n}": n for n in range(7)})
    hide("p3")
    told = []
    lines = export.export_csv(
        export.board_export(slug="global"),
        chunk=4,
        counted=lambda total: told.append(("total", total)),
        written=lambda rows: told.append(("written", rows)),
    )
    for _ in lines:
        pass
    assert told == [("total", 6), ("written", 4), ("written", 2)]


def test_an_export_left_midway_ends_its_snapshot_at_once(ranking_redis, global_board):
    make_scores(global_board, {f"p{n}": n for n in range(5)})
    lines = export.export_csv(export.board_export(slug="global"), chunk=2)
    assert not in_transaction()
    next(lines)
    assert in_transaction()
    lines.close()  # what the server does when the client goes away
    assert not in_transaction()
    for _ in export.export_csv(export.board_export(slug="global"), chunk=2):
        pass
    assert not in_transaction()


@pytest.mark.postgres_only
def test_an_export_reads_the_board_as_it_stood_when_it_began(ranking_redis, global_board):
    make_scores(global_board, {f"p{n}": 10 * n for n in range(6)})
    lines = export.export_csv(export.board_export(slug="global"), chunk=2)
    first = next(lines)  # the snapshot is taken

    def write_meanwhile():
        try:
            make_scores(global_board, {"p0": 1000, "newcomer": 500})
        finally:
            connections.close_all()

    writer = threading.Thread(target=write_meanwhile)
    writer.start()
    writer.join()
    rest = "".join(lines)

    rows = list(csv.reader(io.StringIO(first + rest, newline="")))
    assert [row[1] for row in rows[1:]] == ["p5", "p4", "p3", "p2", "p1", "p0"]
    assert rows[-1][3] == "0"
    # A new export sees the new standings.
    assert [pid for _, pid, _, _ in as_entries(exported("global"))][:2] == ["p0", "newcomer"]
