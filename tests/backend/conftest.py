"""Builders and clients for the backend's tests: boards, players and scores made in code."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from django.db import connection
from django.test import Client

from backend_site.api_keys import keys
from backend_site.rankings.calendar import boards, clock
from backend_site.rankings.models import DEFAULT_BOARD, Leaderboard, Player, Score
from backend_site.rankings.writes import closing, services
from common.local_servers import GunicornSite, RedisCluster, RedisServer
from tests.conftest import CLUSTER
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

_slugs = itertools.count(1)


def make_board(
    slug: str | None = None, *, order: str = "desc", operator: str = "best", title: str = ""
) -> Leaderboard:
    """A board in the database only; Redis loads it on first use, as after a restart."""
    slug = slug or f"board-{next(_slugs)}"
    return Leaderboard.objects.create(
        slug=slug, title=title or slug.title(), order=order, operator=operator
    )


def make_player(player_id: str, name: str | None = None) -> Player:
    return Player.objects.create(player_id=player_id, name=name or f"Player {player_id}")


def make_score(
    board: Leaderboard, player_id: str, score: int, *, name: str | None = None
) -> services.SubmitResult:
    """Submit a score through the service, as the API does (creating the player if new)."""
    if name is None and not Player.objects.filter(player_id=player_id).exists():
        name = f"Player {player_id}"
    return services.score_submit(board=board, player_id=player_id, score=score, name=name)


def make_scores(board: Leaderboard, scores: dict[str, int]) -> None:
    """Submit several players' scores in the given order (earlier ones reach ties first)."""
    for player_id, score in scores.items():
        make_score(board, player_id, score)


def in_transaction() -> bool:
    """Whether this thread's database connection is inside a transaction (an export's
    snapshot, say)."""
    raw = connection.connection
    if raw is None:
        return False
    if connection.vendor == "sqlite":
        return raw.in_transaction
    return raw.info.transaction_status != raw.info.transaction_status.IDLE


def stored_value(board: Leaderboard, player_id: str) -> int:
    return Score.objects.get(board=board, player_id=player_id).value


@pytest.fixture(autouse=True)
def _default_board(request) -> None:
    """Tests commit for real (writes reach Redis only after a commit), and the table flush
    between them takes the migrations' default board too: put it back."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or marker is not None:
        request.getfixturevalue("transactional_db")
        # The boards the migrations feed from it go: a test makes the boards it needs, so
        # its first run and its later ones (after a flush) see the same.
        Leaderboard.objects.exclude(slug=DEFAULT_BOARD).filter(source__slug=DEFAULT_BOARD).delete()
        Leaderboard.objects.get_or_create(
            slug=DEFAULT_BOARD, defaults={"title": "Global", "order": "desc", "operator": "best"}
        )


@pytest.fixture
def global_board(transactional_db, ranking_redis) -> Leaderboard:
    """The default board the migrations create, with Redis pointing at the test server."""
    return Leaderboard.objects.get(slug=DEFAULT_BOARD)


@pytest.fixture(autouse=True)
def _fresh_verdicts():
    """API key verdicts are cached per process (api_keys/keys.py): no test sees another's."""
    keys.forget()
    yield
    keys.forget()


@pytest.fixture
def moderator(api) -> Client:
    """Django's test client with a key of the `moderate` scope (and the service token set)."""
    _, secret = keys.key_create(name="moderator", scopes="moderate")
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def served_moderated(redis_url, make_database_url, tmp_path):
    """``start(setup="")``: a migrated backend under gunicorn (two workers) on the test's own
    Redis and database, after running ``setup`` in its ``manage.py shell``; returns the site
    and the secret of a `moderate` key. Stopped when the test ends."""
    started: list[GunicornSite] = []

    def start(setup: str = "") -> tuple[GunicornSite, str]:
        env = backend_env(redis_url, make_database_url(tmp_path), WEB_CONCURRENCY="2")
        site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
        site.migrate()
        if setup:
            made = site.manage("shell", "-c", setup)
            assert made.returncode == 0, made.stderr
        key = site.manage("api_keys", "create", "moderator", "--scopes", "moderate")
        assert key.returncode == 0, key.stderr
        site.start()
        started.append(site)
        return site, key.stdout.strip()

    yield start
    for site in started:
        site.stop()


@pytest.fixture
def api(transactional_db, ranking_redis, settings) -> Client:
    """Django's test client carrying the service token the backend requires."""
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    return Client(headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})


def make_tls_files(folder: Path) -> dict[str, str]:
    """A new CA and a server certificate it signed for 127.0.0.1, written where redis-server
    can read them: RedisServer's and RedisCluster's ``tls``."""
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    files = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}
    ca.cert_pem.write_to_path(str(files["ca"]))
    server_cert.cert_chain_pems[0].write_to_path(str(files["cert"]))
    server_cert.private_key_pem.write_to_path(str(files["key"]))
    return {name: str(path) for name, path in files.items()}


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> dict[str, str]:
    """The TLS tests' CA and server certificate (see make_tls_files)."""
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer | RedisCluster]:
    """A redis-server for this test alone, so stopping it disturbs no other test; under
    TEST_REDIS=cluster, a cluster of its own (3 masters without replicas: all of it stops)."""
    if CLUSTER:
        server = RedisCluster(tmp_path / "redis", replicas=0)
    else:
        server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.resume()  # in case the test left it paused
    server.stop()


class Clock:
    """A settable clock for the backend (monkeypatched over clock.now); with ``tick``, each
    reading moves it on by that much, so racing threads cross a boundary at a known point."""

    def __init__(self, moment: datetime):
        self.moment = moment
        self.tick = timedelta(0)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            moment = self.moment
            self.moment += self.tick
            return moment

    def set(self, moment: datetime) -> None:
        with self.lock:
            self.moment = moment

    def advance(self, **delta) -> None:
        self.set(self.moment + timedelta(**delta))


@pytest.fixture
def now(monkeypatch, settings) -> Clock:
    settings.PERIOD_CLOSE_GRACE_SECONDS = 60
    fake = Clock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    monkeypatch.setattr(clock, "now", fake)
    boards.boards_forget()
    closing._closed.clear()
    yield fake
    boards.boards_forget()
    closing._closed.clear()


def resetting_board(slug: str, reset: str, *, tz: str = "UTC", source=None, **kw) -> Leaderboard:
    board = make_board(slug, **kw)
    board.reset, board.timezone, board.source = reset, tz, source
    board.save()
    # Made "in the past" for the tests' clock: periods before it would be refused.
    Leaderboard.objects.filter(pk=board.pk).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    board.refresh_from_db()
    return board
