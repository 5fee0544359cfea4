"""The moderation API (the `moderate` scope): reviews of refused scores, a player's
sanctions, rollback and erasure. Parse, call one function of writes/, shape the answer."""

from django.http import HttpResponse

from backend_site.audit import log as audit
from backend_site.rankings.api import inputs
from backend_site.rankings.api.views import allow, body_of, json_response
from backend_site.rankings.writes import erasure, reviews, rollback, sanctions


@allow("GET", "HEAD")
def reviews_list(request):
    """Submissions refused as out of bounds, newest first (the moderate scope)."""
    params = request.GET
    leaderboard = params.get("leaderboard")
    player_id = params.get("player_id")
    found = reviews.reviews_list(
        leaderboard=None if leaderboard is None else inputs.slug_clean(leaderboard),
        player_id=None if player_id is None else inputs.player_id_clean(player_id),
        limit=inputs.query_int(
            params, "limit", default=reviews.LIMIT_DEFAULT, low=1, high=reviews.LIMIT_MAX
        ),
    )
    return json_response(
        {
            "reviews": [
                {
                    "leaderboard": review.leaderboard,
                    "player_id": review.player_id,
                    "score": review.score,
                    "reason": review.reason,
                    "key": review.key,
                    "at": review.at.isoformat(),
                }
                for review in found
            ]
        }
    )


@allow("DELETE")
def player_erase(request, player_id: str):
    """Erase a player and everything held about them (the moderate scope): 204."""
    erasure.player_erase(player_id=inputs.player_id_clean(player_id))
    return HttpResponse(status=204)


@allow("POST")
def player_rollback(request, player_id: str):
    """Roll a player back to a moment, on every board or one (the moderate scope)."""
    player_id = inputs.player_id_clean(player_id)
    since, leaderboard = inputs.rollback_parse(body_of(request))
    done = rollback.player_rollback(player_id=player_id, since=since, leaderboard=leaderboard)
    return json_response(
        {
            "player_id": player_id,
            "since": since.isoformat(),
            "leaderboard": leaderboard,
            "rolled_back": [
                {
                    "leaderboard": r.leaderboard,
                    "period": r.period,
                    "before": r.before,
                    "after": r.after,
                }
                for r in done
            ],
        }
    )


def _sanction_json(sanction) -> dict:
    return {
        "id": sanction.pk,
        "player_id": sanction.player_id,
        "action": sanction.action,
        "reason": sanction.reason,
        "until": _moment_json(sanction.until),
        "created_at": sanction.created_at.isoformat(),
        "created_by": sanction.created_by,
        "ended_at": _moment_json(sanction.ended_at),
        "ended_by": sanction.ended_by or None,
    }


def _moment_json(moment) -> str | None:
    return None if moment is None else moment.isoformat()


@allow("GET", "HEAD", "POST")
def player_sanctions(request, player_id: str):
    """A player's sanctions (GET), or a new hide or ban (POST: 201), the moderate scope."""
    player_id = inputs.player_id_clean(player_id)
    if request.method == "POST":
        wanted = inputs.sanction_parse(body_of(request))
        sanction = sanctions.sanction_create(
            player_id=player_id,
            action=wanted.action,
            reason=wanted.reason,
            until=wanted.until,
            actor=audit.key_actor(),
        )
        return json_response(_sanction_json(sanction), status=201)
    found = sanctions.sanctions_of(player_id=player_id)
    return json_response({"player_id": player_id, "sanctions": [_sanction_json(s) for s in found]})


@allow("DELETE")
def player_sanction_lift(request, player_id: str, sanction_id: str):
    """Lift one of a player's sanctions (the moderate scope): 204, also when it had ended."""
    sanctions.sanction_lift(
        player_id=inputs.player_id_clean(player_id),
        sanction_id=inputs.sanction_id_clean(sanction_id),
        actor=audit.key_actor(),
    )
    return HttpResponse(status=204)
