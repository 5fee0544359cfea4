"""A game server's three calls to the leaderboard backend, through the client generated from
docs/openapi.json (leaderboard-client/, `make clients` regenerates it):

1. submit a player's score with an Idempotency-Key, then send it again with the same key, as
   a server would after a timeout: the backend answers the first answer again, marked
   `Idempotent-Replayed: true`, and applies nothing;
2. read the top 10 of the board;
3. look up a list of players (friends, a clan) in one call.

    pip install ./examples/python/leaderboard-client    # the client, httpx and attrs
    python examples/python/game_server.py --url http://127.0.0.1:8001 --key "$KEY" \\
        --player p1 --name Pat --score 4200 --lookup p1,p2,p3

--url and --key default to LEADERBOARD_URL and LEADERBOARD_KEY (a key with the `read` and
`write` scopes: `manage.py api_keys create game-eu-1 --scopes read,write`). An error answer
is the one Error model of the client (`error.error.code`, `error.error.message`): the script
prints it and exits with status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from typing import TypeVar

import httpx
from leaderboard_client import AuthenticatedClient
from leaderboard_client.api.leaderboards import get_entries
from leaderboard_client.api.players import lookup_players
from leaderboard_client.api.scores import submit_score
from leaderboard_client.models import Entry, Error, LookedUp, LookupRequest, ScoreSubmission
from leaderboard_client.types import Response

T = TypeVar("T")


def answered(what: str, response: Response[Error | T]) -> T:
    """The answer's model; on an error answer, its code and message, and exit 1."""
    parsed = response.parsed
    if isinstance(parsed, Error):
        sys.exit(f"{what}: {response.status_code} {parsed.error.code}: {parsed.error.message}")
    if parsed is None:  # a status the document does not list
        sys.exit(f"{what}: unexpected answer {response.status_code}")
    return parsed


def rank_text(rank: int | None) -> str:
    # No rank: the player is hidden by a moderator, or Redis is catching up (a 202).
    return "unranked" if rank is None else f"rank {rank}"


def entry_line(entry: Entry | LookedUp) -> str:
    return f"{entry.rank:>4}  {entry.name} ({entry.player_id})  {entry.score}"


def score_submit(client: AuthenticatedClient, args: argparse.Namespace) -> None:
    """Submit once, then again with the same Idempotency-Key, as a retry would."""
    key = str(uuid.uuid4())
    body = ScoreSubmission(player_id=args.player, score=args.score, name=args.name)
    for attempt in ("submitted", "retried"):
        response = submit_score.sync_detailed(
            args.board, client=client, body=body, idempotency_key=key
        )
        result = answered("submitScore", response)
        replayed = response.headers.get("Idempotent-Replayed", "false")
        print(
            f"{attempt}: {result.player_id} {result.score} on {args.board}, "
            f"{rank_text(result.rank)}, Idempotent-Replayed: {replayed}"
        )


def top_show(client: AuthenticatedClient, args: argparse.Namespace) -> None:
    page = answered("getEntries", get_entries.sync_detailed(args.board, client=client, limit=10))
    print(f"top 10 of {page.leaderboard} ({page.total} players):")
    for entry in page.entries:
        print(entry_line(entry))


def players_look_up(client: AuthenticatedClient, args: argparse.Namespace) -> None:
    body = LookupRequest(player_ids=args.lookup)
    found = answered(
        "lookupPlayers", lookup_players.sync_detailed(args.board, client=client, body=body)
    )
    print(f"lookup of {len(args.lookup)} on {found.leaderboard}:")
    for entry in found.entries:
        print(f"{entry_line(entry)}  better than {entry.percentile:.1f}%")
    print(f"missing: {', '.join(found.missing) or '-'}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("LEADERBOARD_URL"), help="the backend")
    parser.add_argument("--key", default=os.environ.get("LEADERBOARD_KEY"), help="an API key")
    parser.add_argument("--board", default="global")
    parser.add_argument("--player", default="p1")
    parser.add_argument("--name", default="Pat", help="needed the first time a player scores")
    parser.add_argument("--score", type=int, default=1000)
    parser.add_argument(
        "--lookup", type=lambda ids: ids.split(","), default=None, help="ids, comma-separated"
    )
    args = parser.parse_args()
    if not args.url or not args.key:
        parser.error("give --url and --key, or set LEADERBOARD_URL and LEADERBOARD_KEY")
    args.lookup = args.lookup or [args.player]
    return args


def main() -> None:
    args = arguments()
    with AuthenticatedClient(
        base_url=args.url, token=args.key, timeout=httpx.Timeout(10.0)
    ) as client:
        score_submit(client, args)
        top_show(client, args)
        players_look_up(client, args)


if __name__ == "__main__":
    main()
