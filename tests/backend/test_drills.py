"""Fault drills: a game server keeps writing (best scores and increments, each with an
Idempotency-Key, retried until answered) while Redis restarts empty, a worker is killed
with SIGKILL and, on PostgreSQL, the database stops and starts. Afterwards every
acknowledged write is in the database and in Redis with the game server's value, and
verify_rankings finds no drift. `make chaos` runs the same faults longer, under load."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator

import pytest

from bench.ledger import GameServer, lost_writes, ranked_scores, stored_scores
from common.local_servers import GunicornSite, wait_until
from tests.fixtures.sites import SERVICE_TOKEN, start_backend_with_board

BOARDS = {"global": "best", "coins": "increment"}
PLAYERS = [f"drill-{number}" for number in range(6)]
ACKNOWLEDGED_BETWEEN_FAULTS = 12
WRITES_DURING_A_FAULT = 4  # attempts the game server makes while the fault lasts


@pytest.fixture
def game_and_backend(request, own_redis, tmp_path) -> Iterator:
    """Return ``start(database_url) -> (game server, backend)``; both stopped afterwards."""
    started = []

    def start(database_url: str):
        backend = start_backend_with_board(
            own_redis.url, database_url, tmp_path, slug="coins", operator="increment"
        )
        game = GameServer(backend.url, SERVICE_TOKEN, BOARDS, PLAYERS, give_up_after=20)
        started.extend([backend, game])
        game.start()
        game.wait_for_acknowledged(ACKNOWLEDGED_BETWEEN_FAULTS)
        return game, backend

    yield start
    for thing in reversed(started):
        thing.stop()


def during(game: GameServer, fault_ends) -> None:
    """Let the game server try a few writes while the fault lasts, then end it."""
    tried = game.sent + WRITES_DURING_A_FAULT
    try:
        wait_until(lambda: game.sent >= tried, timeout=30, what="writes during the fault")
    finally:
        fault_ends()


def assert_nothing_acknowledged_was_lost(game: GameServer, backend: GunicornSite) -> None:
    game.stop()
    game.settle()
    assert not game.failures and not game.unsettled, (game.failures, game.unsettled)
    expected = game.expected()
    stored = stored_scores(backend, list(BOARDS), "drill-")
    ranked = ranked_scores(backend.url, SERVICE_TOKEN, expected)
    assert lost_writes(expected, stored, ranked) == []
    verified = backend.manage("verify_rankings")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_no_acknowledged_write_is_lost_when_redis_restarts_empty_or_a_worker_is_killed(
    game_and_backend, own_redis, make_database_url, tmp_path
):
    game, backend = game_and_backend(make_database_url(tmp_path))

    def restart_empty() -> None:
        shutil.rmtree(own_redis.workdir, ignore_errors=True)  # nothing to load back
        own_redis.start()

    own_redis.stop()
    during(game, restart_empty)
    game.wait_for_acknowledged(ACKNOWLEDGED_BETWEEN_FAULTS)

    workers = backend.worker_pids()
    os.kill(workers[0], signal.SIGKILL)
    # gunicorn starts another in its place; the game server's retries reach either.
    wait_until(
        lambda: len(set(backend.worker_pids()) - set(workers)) == 1,
        timeout=30,
        what="a new worker",
    )
    game.wait_for_acknowledged(ACKNOWLEDGED_BETWEEN_FAULTS)

    assert_nothing_acknowledged_was_lost(game, backend)


@pytest.mark.postgres_only
def test_no_acknowledged_write_is_lost_when_the_database_stops_and_starts(
    game_and_backend, own_postgres
):
    game, backend = game_and_backend(own_postgres.create_database("drill"))

    own_postgres.stop()  # pg_ctl stop -m fast: open transactions are rolled back
    during(game, own_postgres.start)
    game.wait_for_acknowledged(ACKNOWLEDGED_BETWEEN_FAULTS)

    assert_nothing_acknowledged_was_lost(game, backend)
