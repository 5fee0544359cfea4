"""A board's standings in one period as CSV, from the database: the whole board, streamed.

Its rows are the ones every read shows, in the same order with the same ranks: hidden
players left out and ranked around, competition ranks (equal scores share a rank, the next
rank skips), and among equal scores the better subscores first, on a board with them
(``subscore_1``, ``subscore_2`` columns follow ``reached_at`` there, and equal scores tie
only when those are equal too), then whoever reached theirs first. The database
gives the rows in that order, a chunk at a time (db/export_rows.py); the ranks are counted
here as the rows go by, so memory stays that of one chunk whatever the board's size.

A cell that a spreadsheet would run as a formula (a name starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading ``'``, as OWASP advises against CSV
injection. Player ids are written as they are: their alphabet (letters, digits, ``_ . : -``)
cannot call a function, and they must stay the ids the API takes.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC

from backend_site.rankings import subscores
from backend_site.rankings.calendar import archives, boards, clock, periods
from backend_site.rankings.db import export_rows
from backend_site.rankings.writes import due

HEADER = ("rank", "player_id", "name", "score", "reached_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ALL_TIME = "all-time"  # the file name's period on a board that never resets
CHUNK = export_rows.CHUNK


@dataclass(frozen=True, slots=True)
class BoardExport:
    """The ranking an export reads, and the period it is (None: the board never resets)."""

    ranking: boards.Ranking
    period: periods.Period | None

    @property
    def filename(self) -> str:
        """``<slug>-<period id>.csv`` (``<slug>-all-time.csv`` on a board that never resets):
        the period the file holds, not the word asked for, so ``previous`` keeps its name."""
        return f"{self.ranking.board.slug}-{self.period.id if self.period else ALL_TIME}.csv"


def board_export(*, slug: str, period: str = archives.CURRENT) -> BoardExport:
    """The ranking an export of the board's ``period`` reads; NotFound for an unknown board
    or a period it never had. Like every read, it first takes what fell due (due.settle):
    an ended sanction's player is shown again, a period past its end is archived."""
    known = boards.board_known(slug)
    now = clock.now()
    due.settle(known, now)
    ranking, found = archives.ranking_for_read(known, period, now)
    return BoardExport(ranking=ranking, period=found)


def export_csv(
    export: BoardExport,
    *,
    chunk: int = CHUNK,
    counted: Callable[[int], None] | None = None,
    written: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The CSV text: the header, then ``rank,player_id,name,score,reached_at`` for each shown
    entry in rank order, one string per chunk of at most ``chunk`` rows (``reached_at`` in
    ISO 8601, UTC). ``counted`` is told the number of rows before the first, ``written``
    the number in each chunk once it is made."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF, quotes doubled, quoted where needed
    orders = export.ranking.board.subscore_orders
    writer.writerow(header(len(orders)))
    position = rank = 0
    previous = None
    rows = export_rows.ranking_rows(
        board=export.ranking.board, period=export.ranking.period_id, chunk=chunk, counted=counted
    )
    # Closed with this generator (a client gone midway): the snapshot ends then, not later.
    with contextlib.closing(rows):
        for found in rows:
            lines = []
            for player_id, name, value, achieved_at, *ties in found:
                position += 1
                if (value, *ties) != previous:
                    rank, previous = position, (value, *ties)
                if name.startswith(FORMULA_STARTS):
                    name = "'" + name
                reached_at = achieved_at.astimezone(UTC).isoformat()
                line = (rank, player_id, name, value, reached_at)
                lines.append((*line, *subscores.values_of(ties, orders)) if orders else line)
            writer.writerows(lines)
            yield _taken(buffer)
            if written is not None:
                written(len(found))
    if position == 0:
        yield _taken(buffer)  # the header alone: an empty board


def header(columns: int) -> tuple[str, ...]:
    """The CSV's first row, on a board of ``columns`` subscores."""
    return (*HEADER, *(f"subscore_{n}" for n in range(1, columns + 1)))


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
