"""Shape the backend's answers into what the templates show: rows, medals, ties, moves,
paging, a board's tabs and periods."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from frontend_site.board.backend_client import (
    BoardInfo,
    BoardPage,
    Entry,
    History,
    Period,
    PeriodList,
    Standing,
)
from frontend_site.board.charts import RankChart, rank_chart
from frontend_site.board.snapshots import DEFAULT_BOARD, HISTORY_DAYS, PAGE_SIZE

PODIUM = {1: "gold", 2: "silver", 3: "bronze"}
# The kinds of board that get a tab, in the order the tabs come. A tab shows the board's name.
TAB_ORDER = ("never", "weekly", "daily", "monthly")
PREVIOUS_LABELS = {
    "weekly": "Last week’s winners",
    "daily": "Yesterday’s winners",
    "monthly": "Last month’s winners",
}
CURRENT_LABELS = {"weekly": "this week", "daily": "today", "monthly": "this month"}


@dataclass(frozen=True, slots=True)
class Tab:
    label: str
    board: str
    query: str
    selected: bool


@dataclass(frozen=True, slots=True)
class PeriodLink:
    name: str
    query: str
    winner_name: str | None
    winner_score: int | None
    selected: bool


@dataclass(frozen=True, slots=True)
class Row:
    rank: int
    player_id: str
    name: str
    score: int
    tied: bool
    medal: str
    is_you: bool = False
    # "up", "down", "new" or "" (no marker: the same place, a past period, an older backend).
    move: str = ""
    places: int = 0


def board_query(board: str, page: int = 1, period: str = "") -> str:
    """The query string of a board page, leaving out the defaults ("" for page 1 of global now)."""
    params = {}
    if board != DEFAULT_BOARD:
        params["board"] = board
    if period:
        params["period"] = period
    if page != 1:
        params["page"] = page
    return f"?{urlencode(params)}" if params else ""


def board_tabs(boards: tuple[BoardInfo, ...], selected: str) -> list[Tab]:
    """The tabs of the selected board's family: the board that feeds it (or itself) and every
    board it feeds, one tab per kind of reset; none for a board alone."""
    by_slug = {board.slug: board for board in boards}
    info = by_slug.get(selected)
    root = info.source if info is not None and info.source in by_slug else selected
    family = [
        board
        for board in boards
        if (board.slug == root or board.source == root) and board.reset in TAB_ORDER
    ]
    family.sort(key=lambda board: (TAB_ORDER.index(board.reset), board.slug))
    if len(family) < 2 or selected not in {board.slug for board in family}:
        return []
    return [
        Tab(
            label=board_name(board.slug, boards),
            board=board.slug,
            query=board_query(board.slug),
            selected=board.slug == selected,
        )
        for board in family
    ]


def resets_in(end: datetime, now: datetime) -> str:
    """When a period ends, humanly and rounded down: "Resets in 5 h", "in 35 min", "in 3 d"."""
    seconds = (end - now).total_seconds()
    if seconds <= 0:
        return "Resetting now"
    if seconds < 60:
        return "Resets in under a minute"
    if seconds < 3600:
        return f"Resets in {int(seconds // 60)} min"
    if seconds < 86400:
        return f"Resets in {int(seconds // 3600)} h"
    return f"Resets in {int(seconds // 86400)} d"


def period_name(reset: str, period: Period) -> str:
    """A period as a heading, in its board's zone: "Tuesday 1 December 2026", "Week of 23
    November 2026", "November 2026"; its id for a kind of board we do not know."""
    day = period.start.date()  # start carries the board zone's offset
    if reset == "daily":
        return f"{day:%A} {day.day} {day:%B %Y}"
    if reset == "weekly":
        return f"Week of {day.day} {day:%B %Y}"
    if reset == "monthly":
        return f"{day:%B %Y}"
    return period.id


def _move(rank_change: int | None) -> tuple[str, int]:
    if rank_change is None:
        return "new", 0
    if rank_change > 0:
        return "up", rank_change
    if rank_change < 0:
        return "down", -rank_change
    return "", 0


def board_title(board: str) -> str:
    """A board's slug as a heading: "speed-runs" -> "Speed Runs"."""
    return board.replace("-", " ").replace("_", " ").title()


def board_name(board: str, boards: tuple[BoardInfo, ...]) -> str:
    """The one name of a board, for its tab, its heading and the page's title: the title the
    backend gives it (set in the admin), or its slug as a heading without the overview."""
    info = next((known for known in boards if known.slug == board), None)
    return info.title if info is not None and info.title else board_title(board)


@dataclass(frozen=True, slots=True)
class Percentile:
    """How a player compares with the others on the board: ``value`` is the share of the
    other players with a strictly worse score (ties are not beaten), None when alone."""

    value: float | None
    others: int


def others_percentile(standing: Standing) -> Percentile:
    """The share of the *other* players this one beats, rounded down to one decimal so that
    "100%" means every other player, from the backend's share of all players (who count the
    player themselves): worse = percentile x total. Exact below 1,000 players; beyond, within
    the display's own rounding. Players tied with them (``rank`` counts those better) are
    never beaten, so the worse are at most total - rank."""
    others = max(0, standing.total - 1)
    if others == 0:
        return Percentile(value=None, others=0)
    worse = min(round(standing.percentile * standing.total / 100), standing.total - standing.rank)
    share = 100 * max(0, worse) / others
    return Percentile(value=math.floor(share * 10 + 1e-9) / 10, others=others)


def rows(
    entries: tuple[Entry, ...],
    *,
    first_position: int | None,
    you: str = "",
    moves: bool = False,
) -> list[Row]:
    """Rows with their medal, tie and (if ``moves``) movement marks; a rank below its
    position means a tie above."""
    result = []
    for index, entry in enumerate(entries):
        below = entries[index + 1] if index + 1 < len(entries) else None
        above = entries[index - 1] if index > 0 else None
        tied = (below is not None and below.rank == entry.rank) or (
            above is not None and above.rank == entry.rank
        )
        if first_position is not None and entry.rank < first_position + index:
            tied = True
        move, places = _move(entry.rank_change) if moves else ("", 0)
        result.append(
            Row(
                rank=entry.rank,
                player_id=entry.player_id,
                name=entry.name,
                score=entry.score,
                tied=tied,
                medal=PODIUM.get(entry.rank, ""),
                is_you=entry.player_id == you,
                move=move,
                places=places,
            )
        )
    return result


def board_context(
    board_page: BoardPage,
    *,
    page: int,
    boards: tuple[BoardInfo, ...] = (),
    period: str = "",
    periods: PeriodList | None = None,
    resets: str = "",
) -> dict:
    """Template context of one page of a board, of its current period unless ``period`` asked
    for another; ``resets`` is resets_in() of the current period's end."""
    board = board_page.board
    info = next((known for known in boards if known.slug == board), None)
    reset = info.reset if info is not None else "never"
    shown = board_page.period
    past = is_past(period, shown, info)
    # A past period's links name it by id, so its pages stay that period after the next reset.
    period_key = shown.id if past and shown is not None else period
    pages = max(1, math.ceil(board_page.total / PAGE_SIZE))
    current_period = shown is not None and not past
    return {
        "board": board,
        "board_name": board_name(board, boards),
        "is_default_board": board == DEFAULT_BOARD,
        "tabs": board_tabs(boards, board),
        "past": past,
        "period_key": period_key,
        "period_name": period_name(reset, shown) if past and shown is not None else "",
        "current_label": CURRENT_LABELS.get(reset, "the current standings"),
        "current_query": board_query(board),
        "resets_in": resets if current_period else "",
        "never_resets": info is not None and info.reset == "never",
        "previous_label": PREVIOUS_LABELS.get(reset, "") if current_period else "",
        "previous_period_query": board_query(board, period="previous"),
        "period_links": period_links(periods, reset, shown) if past else [],
        "rows": rows(
            board_page.entries,
            first_position=board_page.offset + 1,
            moves=board_page.has_moves and not past,
        ),
        "total": board_page.total,
        "page": page,
        "pages": pages,
        "past_the_end": page > pages,
        "query": board_query(board, page, period_key),
        "player_query": board_query(board, period=period_key),
        "first_query": board_query(board, 1, period_key),
        "previous_query": board_query(board, min(page, pages + 1) - 1, period_key)
        if page > 1
        else None,
        "next_query": board_query(board, page + 1, period_key) if page < pages else None,
    }


def is_past(period: str, shown: Period | None, info: BoardInfo | None) -> bool:
    """Whether a page that asked for ``period`` shows a period that has ended."""
    if not period:
        return False
    current = info.period if info is not None else None
    return shown is None or current is None or shown.id != current.id


def period_links(periods: PeriodList | None, reset: str, shown: Period | None) -> list[PeriodLink]:
    """Links to a board's ended periods, newest first, with their winners."""
    if periods is None:
        return []
    return [
        PeriodLink(
            name=period_name(reset, Period(id=past.id, start=past.start, end=past.end)),
            query=board_query(periods.board, period=past.id),
            winner_name=past.winner.name if past.winner is not None else None,
            winner_score=past.winner.score if past.winner is not None else None,
            selected=shown is not None and past.id == shown.id,
        )
        for past in periods.periods
        if past.closed
    ]


def player_context(
    standing: Standing,
    *,
    period: str = "",
    history: History | None = None,
    history_unavailable: bool = False,
    boards: tuple[BoardInfo, ...] = (),
) -> dict:
    """Template context of a player's page; ``history`` None leaves the chart out; ``boards``
    (the overview) names the board."""
    past = bool(period)
    move, places = _move(standing.rank_change) if standing.has_moves and not past else ("", 0)
    chart: RankChart | None = None
    if history is not None and history.points:
        chart = rank_chart(history.points, name=standing.name, days=history.days)
    return {
        "board": standing.board,
        "board_name": board_name(standing.board, boards),
        "percentile": others_percentile(standing),
        "period_key": period,
        "period_id": standing.period.id if past and standing.period is not None else "",
        "player_query": board_query(standing.board, period=period),
        "board_query": board_query(
            standing.board, 1 + (standing.rank - 1) // PAGE_SIZE, period=period
        ),
        "standing": standing,
        "move": move,
        "places": places,
        "rows": rows(
            standing.around,
            first_position=None,
            you=standing.player_id,
            moves=standing.has_moves and not past,
        ),
        "history": history,
        "history_days": history.days if history is not None else HISTORY_DAYS,
        "history_unavailable": history_unavailable,
        "chart": chart,
    }
