"""Erasing a player (a GDPR request): everything the service holds about them goes, at once.

One transaction removes their row, every score (so every entry, through sync.py, on every
board and period), their history events and daily ranks, the reviews of their refused
submissions, the stored answers of their idempotent requests, and names them nowhere else:
a period archive they won keeps its winning score but no longer their id or name. The
erasure itself is audited, by id only. Afterwards the id can be used by a new player.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from django.db import transaction

from backend_site.audit import log as audit
from backend_site.rankings.calendar import clock
from backend_site.rankings.db import transactions
from backend_site.rankings.errors import NotFound
from backend_site.rankings.models import DayRank, IdempotencyKey, PeriodArchive, Player, Review
from backend_site.rankings.webhooks import leaders, outbox
from backend_site.rankings.writes import services

IDEMPOTENCY_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Erased:
    scores: int
    archives: int
    day_ranks: int
    reviews: int
    idempotency_keys: int


def player_erase(*, player_id: str) -> Erased:
    """Erase the player ``player_id`` (NotFound if the service holds no such player)."""
    with transaction.atomic():
        player = Player.objects.select_for_update().filter(player_id=player_id).first()
        if player is None:
            raise NotFound(f"No player {player_id!r}.")
        bumped = transactions.versions_bump(where="player_id = %s", params=[player_id])
        archives = PeriodArchive.objects.filter(winner_id=player_id).update(
            winner_id="", winner_name=""
        )
        day_ranks, _ = DayRank.objects.filter(player_id=player_id).delete()
        reviews, _ = Review.objects.filter(player_id=player_id).delete()
        answered = _idempotency_keys_naming(player_id)
        IdempotencyKey.objects.filter(key__in=answered).delete()
        player.delete()  # its scores and history events go with it
        erased = Erased(len(bumped), archives, day_ranks, reviews, len(answered))
        audit.record(
            actor=audit.key_actor(),
            action="player.erase",
            target=f"player:{player_id}",
            detail={
                "scores": erased.scores,
                "archives": erased.archives,
                "day_ranks": erased.day_ranks,
                "reviews": erased.reviews,
                "idempotency_keys": erased.idempotency_keys,
            },
        )
        now = clock.now()
        leaders.leaders_check_rows(rows=bumped, now=now)
        outbox.event_record(
            type=outbox.PLAYER_ERASED,
            stream=outbox.player_stream(player_id),
            data={"player_id": player_id},
            now=now,
        )
        services.entries_removed(bumped)
    return erased


def _idempotency_keys_naming(player_id: str) -> list[str]:
    """The stored answers (a day's worth at most) that name the player."""
    found = []
    needle = orjson.dumps(player_id)
    stored = IdempotencyKey.objects.values_list("key", "body").order_by("key")
    for key, body in stored.iterator(chunk_size=IDEMPOTENCY_CHUNK):
        body = bytes(body)
        if needle in body and _names(body, player_id):
            found.append(key)
    return found


def _names(body: bytes, player_id: str) -> bool:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    rows = data.get("results", [data]) if isinstance(data, dict) else []
    return any(isinstance(row, dict) and row.get("player_id") == player_id for row in rows)
