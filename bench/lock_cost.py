"""What reading the player's sanction flags FOR KEY SHARE costs a single submission.

    python -m bench.lock_cost [--players 10000] [--rounds 7] [--per-round 3000]

Every submission's statement (rankings/db/score_rows.py) reads the player's hidden and banned
flags FOR KEY SHARE, so that a hide or lift (which holds the row FOR UPDATE) is wholly before
or after it. That lock cannot be switched off in the service, so this measures the statement
alone, on a PostgreSQL server of its own: the same submissions with and without the lock
clause (taken out of the SQL text), in alternating rounds, one client; the ratio is the
median round's rate without over the rate with.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.session import backend_env
from common.local_servers import PostgresServer, RedisServer, manage

LOCK_CLAUSE = " FOR KEY SHARE"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lock_cost", description=__doc__)
    parser.add_argument("--players", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=3_000)
    args = parser.parse_args()
    # As root, PostgreSQL runs as its own user, who cannot enter a private temporary folder.
    postgres = PostgresServer(Path(tempfile.mkdtemp(prefix="lock-cost-pg-")), durable=True)
    redis = RedisServer(Path(tempfile.mkdtemp(prefix="lock-cost-redis-")))
    postgres.start()
    redis.start()
    try:
        env = backend_env(redis.url, postgres.create_database("leaderboard"))
        for command in (
            ("migrate", "--no-input"),
            ("seed", "--players", str(args.players), "--board", "global", "--random-seed", "1"),
        ):
            assert manage(*command, env=env).returncode == 0, command
        os.environ.update(env)
        print(f"median ratio without/with the lock: {_measure(args):.3f}")
    finally:
        redis.stop()
        postgres.stop()


def _measure(args) -> float:
    import django

    django.setup()
    from django.db import connection
    from django.db.backends import utils

    from backend_site.rankings.calendar import clock
    from backend_site.rankings.db import score_rows
    from backend_site.rankings.models import Leaderboard, Player

    board = Leaderboard.objects.get(slug="global")
    ids = list(Player.objects.values_list("player_id", flat=True))
    locked = {"on": True}
    execute = utils.CursorWrapper.execute

    def maybe_unlocked(self, statement, params=None):
        if not locked["on"]:
            statement = statement.replace(LOCK_CLAUSE, "")
        return execute(self, statement, params)

    utils.CursorWrapper.execute = maybe_unlocked
    rng = random.Random(1)

    def rate(count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            score_rows.scores_submit(
                targets=[(board, "")],
                player_id=rng.choice(ids),
                score=rng.randrange(10**9),
                now=clock.now(),
            )
        return count / (time.perf_counter() - started)

    rate(1_000)  # warm up
    ratios = []
    for round_ in range(args.rounds):
        rates = {}
        for lock in (True, False) if round_ % 2 else (False, True):
            locked["on"] = lock
            rates[lock] = rate(args.per_round)
        ratios.append(rates[False] / rates[True])
        print(
            f"round {round_}: without {rates[False]:,.0f}/s, with {rates[True]:,.0f}/s, "
            f"ratio {ratios[-1]:.3f}",
            flush=True,
        )
    connection.close()
    return statistics.median(ratios)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend_site.settings")
    main()
