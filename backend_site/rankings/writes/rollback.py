"""Rolling a player back to a moment: undo exactly what they did after it, keep their past.

For each of the player's score rows (every board, or the one named, and each of its periods)
that changed after ``since``, the score goes back to the value of its last history event at
or before ``since``; with none, the entry is removed (they had no score then). Rows that did
not change since are left as they are. Each change is a history event of its own, gets a new
version and reaches Redis through sync.py, so everyone's ranks follow; a closed period's
archive is summed up again. One transaction, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from backend_site.audit import log as audit
from backend_site.rankings.calendar import archives, clock, periods
from backend_site.rankings.db import history_rows, transactions
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import Leaderboard, PeriodArchive, Player, Score, ScoreEvent
from backend_site.rankings.ranking_index import sync
from backend_site.rankings.webhooks import leaders
from backend_site.rankings.writes import services


@dataclass(frozen=True, slots=True)
class RolledBack:
    leaderboard: str
    period: str
    before: int
    after: int | None  # None: the entry was removed


def player_rollback(
    *, player_id: str, since: datetime, leaderboard: str | None = None
) -> list[RolledBack]:
    """Roll the player's scores back to ``since`` (NotFound for an unknown player or board)."""
    with transactions.write_transaction():
        if not Player.objects.filter(player_id=player_id).exists():
            raise NotFound(f"No player {player_id!r}.")
        rows = Score.objects.filter(player_id=player_id).select_related("board")
        if leaderboard is not None:
            if not Leaderboard.objects.filter(slug=leaderboard).exists():
                raise NotFound(f"No leaderboard {leaderboard!r}.")
            rows = rows.filter(board__slug=leaderboard)
        rows = list(rows.select_for_update(of=("self",)).order_by("board__slug", "period"))
        done, changes, events = [], [], []
        now = clock.now()
        for row in rows:
            mine = Q(board_id=row.board_id, period=row.period, player_id=player_id)
            if not ScoreEvent.objects.filter(mine, at__gt=since).exists():
                continue  # nothing to undo here
            then = ScoreEvent.objects.filter(mine, at__lte=since).order_by("-at", "-id").first()
            value = then.value if then is not None else None
            if value is None:
                bumped = transactions.versions_bump(where="id = %s", params=[row.pk])
                Score.objects.filter(pk=row.pk).delete()
                changes += services.removals(bumped)
            else:
                Score.objects.filter(pk=row.pk).update(
                    value=value,
                    achieved_at=then.at,
                    metadata=then.metadata,
                    tie_1=then.tie_1,
                    tie_2=then.tie_2,
                )
                changes += services.changes_of(
                    transactions.versions_bump(where="id = %s", params=[row.pk])
                )
            ties = (then.tie_1, then.tie_2) if then is not None else (0, 0)
            metadata = then.metadata if then is not None else None
            events.append((row.board_id, row.period, player_id, value, now, metadata, ties))
            done.append(RolledBack(row.board.slug, row.period, row.value, value))
            _archive_again(row.board, row.period)
        history_rows.events_append(events)
        audit.record(
            actor=audit.key_actor(),
            action="player.rollback",
            target=f"player:{player_id}",
            detail={
                "since": since.isoformat(),
                "leaderboard": leaderboard,
                "changes": [
                    {
                        "leaderboard": r.leaderboard,
                        "period": r.period,
                        "before": r.before,
                        "after": r.after,
                    }
                    for r in done
                ],
            },
        )
        leaders.leaders_check(
            rankings=[(ranking.board, ranking.period_id) for ranking, _ in changes], now=now
        )
        sync.entries_changed(changes)
    return done


def _archive_again(board: Leaderboard, period_id: str) -> None:
    """A closed period's players and winner, summed up again from its rows."""
    archive = PeriodArchive.objects.filter(board=board, period=period_id).first()
    period = periods.period_parse(board.reset, board.timezone, period_id) if archive else None
    if archive is None or period is None:
        return
    summary = archives.summary_from_rows(board, period)
    winner = summary.winner
    archive.players = summary.players
    archive.winner_id = winner.player_id if winner else ""
    archive.winner_name = winner.name if winner else ""
    archive.winner_score = winner.score if winner else None
    archive.save(update_fields=["players", "winner_id", "winner_name", "winner_score"])
