"""Concurrent submissions to the served backend: no better score and no increment is lost."""

from __future__ import annotations

import json
import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fixtures.redis_servers import redis_client_for
from tests.fixtures.sites import SERVICE_TOKEN

THREADS = 8
POSTS_PER_THREAD = 15


@pytest.fixture
def make_served_board(backend_server):
    """Create a board in the served backend's database (Redis loads it on first use)."""

    def make(*, order: str = "desc", operator: str = "best") -> str:
        slug = f"{operator}-{uuid.uuid4().hex[:8]}"
        code = (
            "from backend_site.rankings.models import Leaderboard; "
            f"Leaderboard.objects.create(slug={slug!r}, title={slug!r}, "
            f"order={order!r}, operator={operator!r})"
        )
        made = backend_server.manage("shell", "-c", code)
        assert made.returncode == 0, made.stderr
        return slug

    return make


def session() -> requests.Session:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {SERVICE_TOKEN}"
    return http


def submit_all(url: str, batches: list[list[dict]]) -> list[requests.Response]:
    """Post each batch from its own thread, all threads released at once."""
    start = threading.Barrier(len(batches))

    def run(batch: list[dict]) -> list[requests.Response]:
        http = session()
        start.wait()
        return [http.post(url, json=payload, timeout=30) for payload in batch]

    with ThreadPoolExecutor(len(batches)) as pool:
        return [response for done in pool.map(run, batches) for response in done]


def standing(backend_server, slug: str, player_id: str) -> dict:
    response = session().get(
        f"{backend_server.url}/api/v1/leaderboards/{slug}/players/{player_id}", timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def stored_in_database(backend_server, slug: str, player_id: str) -> int:
    code = (
        "from backend_site.rankings.models import Score; "
        f"print(Score.objects.get(board__slug={slug!r}, player_id={player_id!r}).value)"
    )
    shown = backend_server.manage("shell", "-c", code)
    assert shown.returncode == 0, shown.stderr
    return int(shown.stdout.split()[-1])  # after the shell's auto-import notice


def flush_served_redis(backend_server) -> None:
    """Empty the served backend's own Redis, as a Redis restart without data would (on a
    cluster, every master)."""
    client = redis_client_for(backend_server.env["REDIS_URL"])
    client.flushdb()
    client.close()


def stored_values(backend_server, slug: str) -> dict[str, int]:
    code = (
        "import json; from backend_site.rankings.models import Score; "
        f"print(json.dumps(dict(Score.objects.filter(board__slug={slug!r})"
        '.values_list("player_id", "value"))))'
    )
    shown = backend_server.manage("shell", "-c", code)
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout.strip().splitlines()[-1])


def test_concurrent_submissions_on_a_best_board_keep_the_best_of_them(
    backend_server, make_served_board
):
    slug = make_served_board(operator="best")
    rng = random.Random(2)
    batches = [
        [
            {"player_id": "racer", "score": rng.randint(0, 10**6), "name": f"Racer {t}"}
            for _ in range(POSTS_PER_THREAD)
        ]
        for t in range(THREADS)
    ]
    best = max(payload["score"] for batch in batches for payload in batch)

    responses = submit_all(f"{backend_server.url}/api/v1/leaderboards/{slug}/scores", batches)

    assert [r.status_code for r in responses] == [200] * len(responses), backend_server.log()
    assert sum(r.json()["updated"] for r in responses) >= 1
    assert standing(backend_server, slug, "racer")["score"] == best
    assert stored_in_database(backend_server, slug, "racer") == best
    shown = standing(backend_server, slug, "racer")
    flush_served_redis(backend_server)  # the board comes back from the database alone
    rebuilt = standing(backend_server, slug, "racer")
    # The racing renames reached Redis in the order the database took them.
    assert (rebuilt["score"], rebuilt["name"]) == (best, shown["name"])


def test_concurrent_increments_are_all_counted(backend_server, make_served_board):
    slug = make_served_board(operator="increment")
    rng = random.Random(3)
    batches = [
        [
            {"player_id": player, "score": rng.randint(1, 1000), "name": player.title()}
            for player in rng.choices(["miner", "smith"], k=POSTS_PER_THREAD)
        ]
        for _ in range(THREADS)
    ]
    expected = {
        player: sum(p["score"] for batch in batches for p in batch if p["player_id"] == player)
        for player in ("miner", "smith")
    }

    responses = submit_all(f"{backend_server.url}/api/v1/leaderboards/{slug}/scores", batches)

    assert [r.status_code for r in responses] == [200] * len(responses), backend_server.log()
    for player, total in expected.items():
        # Each answer is the total right after that increment: all different, the last the sum.
        totals = [r.json()["score"] for r in responses if r.json()["player_id"] == player]
        assert len(set(totals)) == len(totals)
        assert max(totals) == total
        assert standing(backend_server, slug, player)["score"] == total
        assert stored_in_database(backend_server, slug, player) == total
    flush_served_redis(backend_server)
    assert {p: standing(backend_server, slug, p)["score"] for p in expected} == expected


def test_concurrent_requests_with_one_idempotency_key_apply_once(backend_server, make_served_board):
    slug = make_served_board(operator="increment")
    url = f"{backend_server.url}/api/v1/leaderboards/{slug}/scores"
    payload = {"player_id": "twin", "score": 7, "name": "Twin"}
    start = threading.Barrier(THREADS)

    def send(_: int) -> requests.Response:
        http = session()
        start.wait()
        return http.post(url, json=payload, headers={"Idempotency-Key": "one-key"}, timeout=30)

    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(send, range(THREADS)))

    assert [r.status_code for r in responses] == [200] * THREADS, backend_server.log()
    assert {r.json()["score"] for r in responses} == {7}
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == THREADS - 1
    assert stored_in_database(backend_server, slug, "twin") == 7


def test_concurrent_batches_on_shared_players_lose_no_increment(backend_server, make_served_board):
    slug = make_served_board(operator="increment")
    rng = random.Random(4)
    players = [f"miner-{n}" for n in range(20)]
    batches = [
        [
            {
                "scores": [
                    {"leaderboard": slug, "player_id": p, "score": rng.randint(1, 9), "name": p}
                    for p in rng.sample(players, 10)
                ]
            }
            for _ in range(4)
        ]
        for _ in range(THREADS)
    ]
    expected = {p: 0 for p in players}
    for batch in (b for thread in batches for b in thread):
        for item in batch["scores"]:
            expected[item["player_id"]] += item["score"]

    responses = submit_all(f"{backend_server.url}/api/v1/scores/batch", batches)

    assert [r.status_code for r in responses] == [200] * len(responses), backend_server.log()
    expected = {p: total for p, total in expected.items() if total}
    assert stored_values(backend_server, slug) == expected
    for player, total in expected.items():
        assert standing(backend_server, slug, player)["score"] == total
