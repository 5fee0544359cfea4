"""Shape the backend's answers into what the templates show: rows, medals, ties, paging."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from frontend_site.board.backend_client import BoardPage, Entry, Standing
from frontend_site.board.snapshots import DEFAULT_BOARD, PAGE_SIZE

PODIUM = {1: "gold", 2: "silver", 3: "bronze"}


@dataclass(frozen=True, slots=True)
class Row:
    rank: int
    player_id: str
    name: str
    score: int
    tied: bool
    medal: str
    is_you: bool = False


def board_query(board: str, page: int = 1) -> str:
    """The query string of a board page, leaving out the defaults ("" for page 1 of global)."""
    params = {}
    if board != DEFAULT_BOARD:
        params["board"] = board
    if page != 1:
        params["page"] = page
    return f"?{urlencode(params)}" if params else ""


def board_title(board: str) -> str:
    """A board's slug as a heading: "speed-runs" -> "Speed Runs"."""
    return board.replace("-", " ").replace("_", " ").title()


def rows(entries: tuple[Entry, ...], *, first_position: int | None, you: str = "") -> list[Row]:
    """Rows with their medal and tie marks; a rank below its position means a tie above."""
    result = []
    for index, entry in enumerate(entries):
        below = entries[index + 1] if index + 1 < len(entries) else None
        above = entries[index - 1] if index > 0 else None
        tied = (below is not None and below.rank == entry.rank) or (
            above is not None and above.rank == entry.rank
        )
        if first_position is not None and entry.rank < first_position + index:
            tied = True
        result.append(
            Row(
                rank=entry.rank,
                player_id=entry.player_id,
                name=entry.name,
                score=entry.score,
                tied=tied,
                medal=PODIUM.get(entry.rank, ""),
                is_you=entry.player_id == you,
            )
        )
    return result


def board_context(board_page: BoardPage, *, page: int) -> dict:
    """Template context of one page of a board."""
    board = board_page.board
    pages = max(1, math.ceil(board_page.total / PAGE_SIZE))
    return {
        "board": board,
        "board_title": board_title(board),
        "is_default_board": board == DEFAULT_BOARD,
        "rows": rows(board_page.entries, first_position=board_page.offset + 1),
        "total": board_page.total,
        "page": page,
        "pages": pages,
        "past_the_end": page > pages,
        "query": board_query(board, page),
        "player_query": board_query(board),
        "first_query": board_query(board, 1),
        "previous_query": board_query(board, min(page, pages + 1) - 1) if page > 1 else None,
        "next_query": board_query(board, page + 1) if page < pages else None,
    }


def player_context(standing: Standing) -> dict:
    """Template context of a player's page."""
    return {
        "board": standing.board,
        "board_title": board_title(standing.board),
        "player_query": board_query(standing.board),
        "board_query": board_query(standing.board, 1 + (standing.rank - 1) // PAGE_SIZE),
        "standing": standing,
        "rows": rows(standing.around, first_position=None, you=standing.player_id),
    }
