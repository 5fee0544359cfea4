"""Refused submissions kept for a moderator: recorded outside the refused write's transaction
(which rolls back), listed newest first."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from backend_site.rankings import acting
from backend_site.rankings.models import Review
from backend_site.rankings.writes.bounds import Refusal

LIMIT_DEFAULT = 50
LIMIT_MAX = 500


def reviews_record(refusals: Sequence[Refusal]) -> None:
    """Keep each refusal, with the API key that sent it."""
    now = timezone.now()
    key = acting.key_name.get()
    Review.objects.bulk_create(
        Review(
            leaderboard=refusal.leaderboard,
            player_id=refusal.player_id,
            score=refusal.score,
            reason=refusal.reason[:200],
            key=key,
            at=now,
        )
        for refusal in refusals
    )


def reviews_list(
    *, leaderboard: str | None = None, player_id: str | None = None, limit: int = LIMIT_DEFAULT
) -> list[Review]:
    """The newest ``limit`` reviews, of one board or player if named."""
    found = Review.objects.all()
    if leaderboard is not None:
        found = found.filter(leaderboard=leaderboard)
    if player_id is not None:
        found = found.filter(player_id=player_id)
    return list(found.order_by("-at", "-id")[:limit])
