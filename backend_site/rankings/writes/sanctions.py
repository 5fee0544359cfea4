"""Hiding and banning players, and lifting it: the player leaves every read at once, and comes
back exactly as the database holds them.

A sanction is a row (``Sanction``); the player's ``hidden`` and ``banned`` flags sum up the
ones in force. Changing them goes through the one path to Redis (sync.py): the player's score
rows, found by the player's index (no board is scanned), get new versions, and each entry
reaches Redis as a hidden removal (``EntryChange.hidden``) or, on a lift, as the row stands,
scores accepted while hidden included. One transaction, one round trip to Redis for all of the
player's boards and periods. A rebuild loads no hidden player, and verify_rankings expects
them absent.

The flags change with the player's row held FOR UPDATE, and every submission reads them FOR
KEY SHARE (db/score_rows.py): a write is wholly before a hide or lift (which then gives its
rows newer versions) or wholly after it (and sees the flags), so none shows a hidden player
or leaves a lifted one out.

A sanction with ``until`` ends on its own at the first request after that time, as periods
close (``expire_due``, called by the reads and writes): no scheduler.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import DatabaseError
from django.db.models import Min

from backend_site.audit import log as audit
from backend_site.rankings.calendar import clock
from backend_site.rankings.db import transactions
from backend_site.rankings.errors import InvalidInput, NotFound
from backend_site.rankings.models import Player, Sanction
from backend_site.rankings.ranking_index import sync
from backend_site.rankings.webhooks import leaders, outbox
from backend_site.rankings.writes import services

logger = logging.getLogger("backend_site.rankings")

# How often a process asks the database when the next sanction ends (one indexed query): a
# sanction made by another process is known here within this time.
CHECK_SECONDS = 5.0
EXPIRY_ACTOR = "expiry"
LIST_MAX = 200


class _Due:
    """This process's idea of when the next sanction ends (None: none will)."""

    next: datetime | None = None
    checked_at: float = float("-inf")  # time.monotonic() of the last look


def sanction_create(
    *, player_id: str, action: str, reason: str, until: datetime | None, actor: str
) -> Sanction:
    """Hide or ban the player from now (NotFound for an unknown player), until ``until`` or
    until lifted; audited."""
    now = clock.now()
    if until is not None and until <= now:
        raise InvalidInput("until: must be in the future.", field="until")
    with transactions.write_transaction():
        player = _player_locked(player_id)
        sanction = Sanction.objects.create(
            player=player,
            action=action,
            reason=reason,
            until=until,
            created_at=now,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="sanction.create",
            target=f"player:{player_id}",
            detail={"sanction": sanction.pk, "action": action, "reason": reason, "until": until},
        )
        outbox.event_record(
            type=outbox.PLAYER_SANCTIONED,
            stream=outbox.player_stream(player_id),
            data={
                "player_id": player_id,
                "sanction": sanction.pk,
                "kind": action,
                "reason": reason,
                "until": until.isoformat() if until else None,
                "actor": actor,
            },
            now=now,
        )
        _flags_settle(player, now)
    if until is not None and (_Due.next is None or until < _Due.next):
        _Due.next = until
    return sanction


def sanction_lift(*, player_id: str, sanction_id: int, actor: str) -> bool:
    """Lift one of the player's sanctions (NotFound if they have no such one); whether this
    call lifted it (False: it had ended already). Audited when it did."""
    now = clock.now()
    with transactions.write_transaction():
        player = _player_locked(player_id)
        sanction = Sanction.objects.filter(pk=sanction_id, player=player).first()
        if sanction is None:
            raise NotFound(f"Player {player_id!r} has no sanction {sanction_id}.")
        if sanction.ended_at is None and not sanction.in_force(now):
            _flags_settle(player, now)  # past its time: it ends as an expiry, not a lift
            return False
        if sanction.ended_at is not None:
            return False
        sanction.ended_at, sanction.ended_by = now, actor
        sanction.save(update_fields=["ended_at", "ended_by"])
        audit.record(
            actor=actor,
            action="sanction.lift",
            target=f"player:{player_id}",
            detail={"sanction": sanction.pk, "action": sanction.action},
        )
        _flags_settle(player, now)
    return True


def sanctions_of(*, player_id: str) -> list[Sanction]:
    """The player's sanctions, newest first (NotFound for an unknown player)."""
    expire_due()
    if not Player.objects.filter(player_id=player_id).exists():
        raise NotFound(f"No player {player_id!r}.")
    return list(Sanction.objects.filter(player_id=player_id)[:LIST_MAX])


def players_lift_all(*, player_ids: list[str], actor: str) -> int:
    """Lift every sanction in force of these players (the admin's action); how many."""
    lifted = 0
    for player_id in player_ids:
        open_ids = Sanction.objects.filter(player_id=player_id, ended_at__isnull=True)
        for sanction_id in open_ids.values_list("pk", flat=True):
            lifted += sanction_lift(player_id=player_id, sanction_id=sanction_id, actor=actor)
    return lifted


def expire_due(now: datetime | None = None) -> None:
    """End the sanctions whose ``until`` has passed, if any: a comparison, and once every
    CHECK_SECONDS one indexed query. While the database is unreachable it waits (reads go
    on from Redis)."""
    if time.monotonic() - _Due.checked_at >= CHECK_SECONDS:
        _next_due_read()
    due = _Due.next
    if due is None or (now or clock.now()) < due:
        return
    try:
        _expire(now or clock.now())
    except DatabaseError as exc:
        logger.warning("Sanctions past their time not ended yet: %s", exc)
        _Due.checked_at = time.monotonic()  # try again in CHECK_SECONDS


def due_forget() -> None:
    """Forget when the next sanction ends (tests: each starts on a database of its own)."""
    _Due.next = None
    _Due.checked_at = float("-inf")


def _next_due_read() -> None:
    _Due.checked_at = time.monotonic()
    try:
        _Due.next = Sanction.objects.filter(ended_at__isnull=True, until__isnull=False).aggregate(
            first=Min("until")
        )["first"]
    except DatabaseError as exc:
        logger.warning("Could not read when the next sanction ends: %s", exc)


def _expire(now: datetime) -> None:
    players = (
        Sanction.objects.filter(ended_at__isnull=True, until__lte=now)
        .values_list("player_id", flat=True)
        .distinct()
        .order_by()
    )
    for player_id in list(players):
        with transactions.write_transaction():
            player = Player.objects.select_for_update().filter(player_id=player_id).first()
            if player is not None:  # else erased meanwhile, sanctions and all
                _flags_settle(player, now)
    _next_due_read()


def _player_locked(player_id: str) -> Player:
    player = Player.objects.select_for_update().filter(player_id=player_id).first()
    if player is None:
        raise NotFound(f"No player {player_id!r}.")
    return player


def _flags_settle(player: Player, now: datetime) -> None:
    """End the player's sanctions past their time, then make their flags what the ones in
    force say and, when ``hidden`` changes, bring every entry of theirs along. Call it
    holding the player's row."""
    hidden = banned = False
    for sanction in Sanction.objects.filter(player=player, ended_at__isnull=True):
        if sanction.in_force(now):
            hidden = True
            banned = banned or sanction.action == Sanction.Action.BAN
            continue
        sanction.ended_at, sanction.ended_by = sanction.until, EXPIRY_ACTOR
        sanction.save(update_fields=["ended_at", "ended_by"])
        audit.record(
            actor=EXPIRY_ACTOR,
            action="sanction.expire",
            target=f"player:{player.player_id}",
            detail={"sanction": sanction.pk, "action": sanction.action, "until": sanction.until},
        )
    if (hidden, banned) == (player.hidden, player.banned):
        return
    Player.objects.filter(pk=player.pk).update(hidden=hidden, banned=banned)
    if hidden != player.hidden:
        # New versions for every row of theirs (the player's index finds them); the changes
        # read the flag just written, so each is a hidden removal or the row as it stands.
        bumped = transactions.versions_bump(where="player_id = %s", params=[player.player_id])
        leaders.leaders_check_rows(rows=bumped, now=now)
        sync.entries_changed(services.changes_of(bumped))
    player.hidden, player.banned = hidden, banned
