"""Reads: boards looked up in the database, rankings answered from Redis alone (one round
trip each, O(log N + page size))."""

from __future__ import annotations

from django.db import connection

from backend_site.rankings import clock, periods, sql, store
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.rebuild import boards_restore, with_board_loaded
from backend_site.rankings.store import BoardSummary, Page, Standing

# Boards as this process last saw them, for score_submit: its statement checks that the board
# is still so (slug, order, operator) and a stale one is fetched again, so a write costs one
# query, not two.
_boards: dict[str, Leaderboard] = {}


def board_get(*, slug: str) -> Leaderboard:
    """Return the board from the database, or raise NotFound."""
    board = sql.board_by_slug(slug)
    if board is None:
        _boards.pop(slug, None)
        raise NotFound(f"No leaderboard {slug!r}.")
    _boards[slug] = board
    return board


def board_for_write(*, slug: str) -> Leaderboard:
    """The board for a submission: this process's copy, or fetched (NotFound if none)."""
    return _boards.get(slug) or board_get(slug=slug)


def _today() -> str:
    # The day whose 00:00 snapshot rank changes count from; UTC until boards pass their zone.
    return periods.day_id("UTC", clock.now())


def board_top(*, slug: str, offset: int, limit: int) -> Page:
    """Return ``limit`` entries of the board from position ``offset``, best first."""
    today = _today()
    return with_board_loaded(
        slug, lambda: store.entries_page(slug=slug, offset=offset, limit=limit, today=today)
    )


def player_standing(*, slug: str, player_id: str, around: int) -> Standing:
    """Return the player's rank, percentile inputs and up to ``around`` neighbours each side;
    NotFound when they have no score on the board."""
    today = _today()
    standing = with_board_loaded(
        slug,
        lambda: store.entry_standing(slug=slug, player_id=player_id, around=around, today=today),
    )
    if standing is None:
        raise NotFound(f"Player {player_id!r} has no score on {slug!r}.")
    return standing


def leaderboards_overview() -> list[BoardSummary]:
    """Return every board with its player count."""
    try:
        boards = store.boards_overview()
    except store.BoardNotLoaded:
        boards = []
    if not boards:  # Redis lost the boards (the default board always exists)
        boards_restore()
        boards = store.boards_overview()
    return boards


def percentile(standing: Standing) -> float:
    """The share of players with a strictly worse score, in percent, one decimal."""
    return round(100 * standing.worse / standing.total, 1) if standing.total else 0.0


def readiness_failures() -> list[str]:
    """Name the dependencies that do not answer (empty when ready)."""
    failed = []
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        failed.append("database")
    try:
        store.ping()
    except Exception:
        failed.append("redis")
    return failed
