"""A game server that keeps its own ledger, for the fault drills (bench.chaos and the tests).

Each score goes out with an Idempotency-Key and is sent again with the same key after a
timeout, a reset or a 5xx, as a real game server would. A 2xx answer means "acknowledged":
the ledger then knows what the player's score must be (the best of the acknowledged ones on a
"best" board, their sum on an "increment" board). A write that is still unanswered when the
game server gives up is kept aside, and ``settle()`` sends it again with its key once the
faults are over, so that every write ends acknowledged and the ledger is exact.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import requests

from common.local_servers import GunicornSite, wait_until

RETRIED = {0, 500, 502, 503, 504}  # 0: no answer (refused, reset, timed out)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP request: when it started and ended (monotonic seconds) and its answer."""

    what: str
    started: float
    ended: float
    status: int  # 0 when no answer came
    error: str = ""
    stale: bool = False  # the frontend answered from its last good copy


@dataclass(frozen=True, slots=True)
class Write:
    slug: str
    operator: str  # best or increment
    player_id: str
    score: int
    key: str

    def payload(self) -> dict:
        return {"player_id": self.player_id, "score": self.score, "name": self.player_id.upper()}


def timed_request(http: requests.Session, what: str, method: str, url: str, **options):
    """Send one request; return the response (None when no answer came) and its Attempt."""
    started = time.monotonic()
    try:
        response = http.request(method, url, **options)
    except requests.RequestException as exc:
        return None, Attempt(what, started, time.monotonic(), 0, type(exc).__name__)
    stale = response.headers.get("X-Data-Stale") == "true"
    return response, Attempt(what, started, time.monotonic(), response.status_code, "", stale)


class GameServer(threading.Thread):
    """Writes scores for its own players on each board in ``boards`` (slug: operator) until
    stopped; ``pause()`` and ``resume()`` let a check see a quiet database."""

    def __init__(
        self,
        base_url: str,
        token: str,
        boards: dict[str, str],
        players: list[str],
        *,
        record: Callable[[Attempt], None] = lambda attempt: None,
        give_up_after: float = 30.0,
        timeout: float = 5.0,
        pace: float = 0.02,
        seed: int = 0,
    ):
        super().__init__(daemon=True, name=f"game-server-{players[0]}")
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.boards = boards
        self.players = players
        self.record = record
        self.give_up_after = give_up_after
        self.timeout = timeout
        self.pace = pace
        self.rng = random.Random(seed)
        self.acknowledged: list[Write] = []
        self.unsettled: list[Write] = []  # given up on; sent again by settle()
        self.failures: list[str] = []  # answers no game server would retry (4xx)
        self.sent = 0
        self._best = itertools.count(1)
        self._lock = threading.Lock()
        self._go = threading.Event()
        self._go.set()
        self._busy = False
        self._stopped = False

    # --- Driving it ---------------------------------------------------------------------

    def run(self) -> None:
        writes = itertools.cycle(itertools.product(self.players, self.boards.items()))
        while not self._stopped:
            with self._lock:
                self._busy = self._go.is_set()
            if not self._busy:
                self._go.wait(0.05)
                continue
            player_id, (slug, operator) = next(writes)
            score = next(self._best) if operator == "best" else self.rng.randint(1, 100)
            self.send(Write(slug, operator, player_id, score, uuid.uuid4().hex))
            with self._lock:
                self._busy = False
            time.sleep(self.pace)

    def pause(self, *, timeout: float = 60.0) -> None:
        """Stop after the write in hand (and its retries) is done."""
        self._go.clear()
        wait_until(lambda: not self._busy, timeout=timeout, what=f"{self.name} to pause")

    def resume(self) -> None:
        self._go.set()

    def stop(self) -> None:
        self.pause()
        self._stopped = True
        self.join(timeout=10)

    def wait_for_acknowledged(self, count: int, *, timeout: float = 30.0) -> None:
        """Wait until ``count`` more writes than now are acknowledged."""
        target = len(self.acknowledged) + count
        wait_until(
            lambda: len(self.acknowledged) >= target or not self.is_alive(),
            timeout=timeout,
            what=f"{count} acknowledged writes",
        )

    # --- Sending ------------------------------------------------------------------------

    def send(self, write: Write, *, give_up_after: float | None = None) -> bool:
        """Send ``write`` with its key until a 2xx or the deadline; whether it was
        acknowledged. A write given up on is kept in ``unsettled``."""
        url = f"{self.base_url}/api/v1/leaderboards/{write.slug}/scores"
        headers = {"Idempotency-Key": write.key}
        deadline = time.monotonic() + (give_up_after or self.give_up_after)
        while True:
            self.sent += 1
            response, attempt = timed_request(
                self.http, "write", "POST", url, json=write.payload(), headers=headers,
                timeout=self.timeout,
            )  # fmt: skip
            self.record(attempt)
            if 200 <= attempt.status < 300:
                self.acknowledged.append(write)
                return True
            if attempt.status not in RETRIED:
                self.failures.append(f"{write}: {attempt.status} {response.text[:200]}")
                return False
            if time.monotonic() >= deadline:
                self.unsettled.append(write)
                return False
            time.sleep(0.1)

    def settle(self, *, give_up_after: float = 60.0) -> None:
        """Send every write given up on again, with its own key, until each is answered."""
        left, self.unsettled = self.unsettled, []
        for write in left:
            self.send(write, give_up_after=give_up_after)

    # --- What it expects ------------------------------------------------------------------

    def expected(self) -> dict[tuple[str, str], int]:
        """(board, player): the score the acknowledged writes add up to."""
        return expected_scores(self.acknowledged)


def expected_scores(writes: list[Write]) -> dict[tuple[str, str], int]:
    """(board, player): the best acknowledged score, or the sum of the increments."""
    found: dict[tuple[str, str], int] = {}
    for write in writes:
        key = (write.slug, write.player_id)
        if write.operator == "increment":
            found[key] = found.get(key, 0) + write.score
        else:
            found[key] = max(found.get(key, write.score), write.score)
    return found


def stored_scores(backend: GunicornSite, slugs: list[str], prefix: str) -> dict:
    """(board, player): the database's score of every player whose id starts with
    ``prefix``, read through manage.py in the backend's own environment."""
    code = (
        "import json; from backend_site.rankings.models import Score; "
        f"rows = Score.objects.filter(board__slug__in={slugs!r}, player__player_id__startswith="
        f"{prefix!r}).values_list('board__slug', 'player_id', 'value'); "
        "print(json.dumps([list(row) for row in rows]))"
    )
    shown = backend.manage("shell", "-c", code, timeout=120)
    if shown.returncode != 0:
        raise RuntimeError(f"reading the database failed: {shown.stderr[-2000:]}")
    rows = json.loads(shown.stdout.splitlines()[-1])  # after the shell's auto-import notice
    return {(slug, player): value for slug, player, value in rows}


def ranked_scores(backend_url: str, token: str, keys) -> dict:
    """(board, player): the score Redis ranks each of ``keys`` with, through the API (None
    when the player is not on the board)."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    found = {}
    for slug, player_id in keys:
        url = f"{backend_url}/api/v1/leaderboards/{slug}/players/{player_id}?around=0"
        response = http.get(url, timeout=10)
        if response.status_code not in (200, 404):
            raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:200]}")
        found[(slug, player_id)] = response.json()["score"] if response.ok else None
    return found


def lost_writes(expected: dict, stored: dict, ranked: dict) -> list[str]:
    """Every entry whose acknowledged score is not what the database or Redis holds."""
    return [
        f"{slug}/{player}: acknowledged {value}, database {stored.get((slug, player))}, "
        f"Redis {ranked.get((slug, player))}"
        for (slug, player), value in sorted(expected.items())
        if stored.get((slug, player)) != value or ranked.get((slug, player)) != value
    ]
