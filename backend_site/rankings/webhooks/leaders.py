"""leader.changed: the #1 of a board's current period, followed through every write.

Each BoardLeader row records a ranking's #1 as the last leader.changed said. After a write
that changed rows of a current ranking (a score taken, a player hidden, a row rolled back or
removed), one query reads the #1 now beside the recorded one, served by the rank-order index
(score_tie_order): when they agree, the lead did not change and that is the whole cost.
Otherwise the row is locked (an upsert that returns it), the #1 read again in a new
statement (on PostgreSQL it sees every writer that committed while this one waited), and
only if it still differs is the row set and the event written, in the write's transaction.
So of two writers racing for the lead, the second reads the first's #1 as its previous: no
event names a wrong previous leader.

A write that is not itself a change of the lead may still meet one made at the same time
(a leader lowering their score while another player passes their new score, unseen in this
write's snapshot): the row then lags the ranking until the board's next write, whose check
sees the difference and sends the change. Writes to past periods send nothing: their
results go out with period.closed.

While no active endpoint subscribes to leader.changed (``watched``, read at most once every
WEBHOOK_SUBSCRIBERS_SECONDS per process), writes skip all of this and the BoardLeader rows
stand still: the first check once someone subscribes announces the #1 against the one
last recorded.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings

from backend_site.rankings.calendar.periods import NO_PERIOD
from backend_site.rankings.db import leader_rows
from backend_site.rankings.models import Leaderboard, Player, WebhookEndpoint
from backend_site.rankings.webhooks import outbox

# This process's last answer to "does an active endpoint subscribe to leader.changed?", and
# the time.monotonic() until which it stands.
_watched: list = [False, 0.0]


def watched() -> bool:
    """Whether an active endpoint subscribes to leader.changed: one query per process every
    WEBHOOK_SUBSCRIBERS_SECONDS at most, so a write pays nothing for a check nobody hears."""
    answer, until = _watched
    now = time.monotonic()
    if now < until:
        return answer
    answer = any(
        outbox.LEADER_CHANGED in events.split(",")
        for events in WebhookEndpoint.objects.filter(active=True).values_list("events", flat=True)
    )
    _watched[:] = [answer, now + settings.WEBHOOK_SUBSCRIBERS_SECONDS]
    return answer


def watched_forget() -> None:
    """Ask again on the next write (an endpoint of this process was made, changed or removed)."""
    _watched[:] = [False, 0.0]


def leaders_check(*, rankings: Iterable[tuple[Leaderboard, str]], now: datetime) -> None:
    """After rows of these (board, period) rankings changed, inside the write's transaction:
    record and announce each current ranking's new #1, if it changed."""
    if not watched():
        return
    for board, period in dict.fromkeys((board, period) for board, period in rankings):
        current = board.period_at(now)
        if period != (current.id if current else NO_PERIOD):
            continue
        _leader_check(board, period, now)


def leaders_check_rows(*, rows: Iterable[tuple[int, str, str, int]], now: datetime) -> None:
    """The same for rows given as (board id, period, player id, version) (versions_bump's)."""
    keys = {(board_id, period) for board_id, period, _, _ in rows}
    if not keys or not watched():
        return
    by_id = Leaderboard.objects.in_bulk({board_id for board_id, _ in keys})
    leaders_check(
        rankings=[(by_id[b], period) for b, period in sorted(keys) if b in by_id], now=now
    )


def _leader_check(board: Leaderboard, period: str, now: datetime) -> None:
    top, recorded = leader_rows.leader_and_recorded(board=board, period=period)
    if recorded is not None and top == recorded:
        return
    recorded = leader_rows.leader_lock(board=board, period=period, now=now)
    standing = leader_rows.ranking_top(board=board, period=period, limit=1)
    top = standing[0][0] if standing else ""
    if top == recorded:
        return
    leader_rows.leader_set(board=board, period=period, player_id=top, now=now)
    new = None
    if standing:
        player_id, name, score = standing[0]
        new = {"player_id": player_id, "name": name, "score": score}
    previous = None
    if recorded:
        # A previous leader erased since has no name to send: their id alone is no longer
        # theirs to keep (the erasure's own event carries it).
        name = Player.objects.filter(pk=recorded).values_list("name", flat=True).first()
        previous = {"player_id": recorded, "name": name} if name is not None else None
    outbox.event_record(
        type=outbox.LEADER_CHANGED,
        stream=outbox.board_stream(board.slug),
        data={"board": board.slug, "period": period, "leader": new, "previous": previous},
        now=now,
    )
