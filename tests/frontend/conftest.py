"""Fixtures of the public site's tests: the real frontend under gunicorn, over real backends."""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import socket
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from common import local_servers
from common.local_servers import GunicornSite, free_port, manage, wait_until
from tests.conftest import SERVICE_TOKEN, Sites, backend_env

# Every call to top_scores() hands out scores above all earlier ones, so each test's
# players are on the first page of the shared global board whatever ran before.
_SCORE_LADDER = itertools.count(10**12, 10**6)


def frontend_env(backend_url: str, static_root: Path, **extra: str) -> dict[str, str]:
    """Environment of a test frontend in production mode, on loopback and plain HTTP."""
    return local_servers.frontend_env(
        backend_url,
        static_root,
        secret_key="test-secret-key-for-the-frontend-only-in-tests",
        service_token=SERVICE_TOKEN,
        # One worker unless a test asks for more (what the workers share is tested with 3).
        **{"WEB_CONCURRENCY": "1", **extra},
    )


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """The frontend's static files collected as a deploy would (hashed and compressed)."""
    root = tmp_path_factory.mktemp("frontend-static")
    collected = manage(
        "collectstatic",
        "--no-input",
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "frontend_site.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_STATIC_ROOT": str(root),
        },
        inherit=False,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    return root


@pytest.fixture(scope="session")
def make_frontend(static_root, tmp_path_factory):
    """Start frontends pointed at a given backend URL, each with a FRONTEND_CACHE_DIR of its
    own (in its folder, next to its log); all are stopped at the end."""
    sites = Sites(tmp_path_factory, "frontend")

    def make(backend_url: str, **extra: str) -> GunicornSite:
        workdir = sites.workdir()
        extra = {"FRONTEND_CACHE_DIR": str(workdir / "cache"), **extra}
        env = frontend_env(backend_url, static_root, **extra)
        return sites.start("frontend_site.wsgi", env, workdir=workdir)

    yield make
    sites.stop_all()


@pytest.fixture(scope="session")
def frontend_server(backend_server, make_frontend) -> GunicornSite:
    """The frontend under gunicorn over the shared backend, with the default cache times."""
    return make_frontend(backend_server.url)


@pytest.fixture(scope="session")
def migrated_database(redis_databases, make_database_url, tmp_path_factory) -> str:
    """An empty, migrated backend database to copy, so each extra backend starts quickly."""
    workdir = tmp_path_factory.mktemp("backend-template")
    database_url = make_database_url(workdir)
    env = backend_env(redis_databases.take_url(), database_url)
    GunicornSite("backend_site.wsgi", env, workdir / "migrate.log").migrate()
    return database_url


@pytest.fixture(scope="session")
def make_backend(redis_databases, migrated_database, make_database_url, tmp_path_factory):
    """Start extra backends that a test may stop: own database, own Redis database."""
    sites = Sites(tmp_path_factory, "backend-extra")

    def make() -> GunicornSite:
        workdir = sites.workdir()
        database_url = make_database_url(workdir, copy_of=migrated_database)
        env = backend_env(redis_databases.take_url(), database_url)
        return sites.start("backend_site.wsgi", env, workdir=workdir)

    yield make
    sites.stop_all()


class SilentServer:
    """Accepts connections on a port and never answers: a backend that hangs."""

    def __init__(self, port: int):
        self.port = port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return  # closed
            self.held.append(connection)

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        for connection in self.held:
            connection.close()
        self.thread.join(timeout=5)


@pytest.fixture
def silent_server():
    """Yield a function that starts a SilentServer on a given port; all are closed after."""
    servers: list[SilentServer] = []

    def start(port: int) -> SilentServer:
        server = SilentServer(port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def top_scores():
    """Return n scores, best first, above every score handed out before in this run."""

    def take(n: int) -> list[int]:
        base = next(_SCORE_LADDER)
        return [base + (n - i) * 1000 for i in range(n)]

    return take


def new_player_id() -> str:
    return f"p-{uuid.uuid4().hex[:12]}"


def submit_score(
    backend: GunicornSite, *, player_id: str, score: int, name: str | None = None
) -> dict:
    """Post a score to the backend's API with the service token, as the game would."""
    body = {"player_id": player_id, "score": score}
    if name is not None:
        body["name"] = name
    response = requests.post(
        f"{backend.url}/api/v1/leaderboards/global/scores",
        json=body,
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()


def seed_players(backend: GunicornSite, names: list[str], scores: list[int]) -> list[str]:
    """Give each named player the matching score; return their new player ids."""
    ids = [new_player_id() for _ in names]
    for player_id, name, score in zip(ids, names, scores, strict=True):
        submit_score(backend, player_id=player_id, score=score, name=name)
    return ids


def eventually(check, *, what: str, timeout: float = 20.0):
    """Poll ``check`` until it returns something other than None or False; return that.

    Cache times are about a second, so what a test waits for shows up within a few polls.
    """
    result = {}

    def attempt() -> bool:
        result["value"] = check()
        # Not bool(): a requests.Response is falsy when its status is an error.
        return result["value"] is not None and result["value"] is not False

    wait_until(attempt, timeout=timeout, what=what)
    return result["value"]


def get(site: GunicornSite, path: str, **kwargs) -> requests.Response:
    return requests.get(f"{site.url}{path}", timeout=10, **kwargs)


def response_when(site: GunicornSite, path: str, condition, *, what: str) -> requests.Response:
    """GET ``path`` until ``condition(response)`` holds, then return that response."""

    def attempt():
        response = get(site, path)
        return response if condition(response) else None

    return eventually(attempt, what=what)


# The frontend in this process, for tests of what its views answer: Django's test client on
# the frontend's settings (pytest runs on the backend's), over a real backend on loopback.

# What the test run owns: its database, static storage (tests/conftest.py), host list (with
# Django's "testserver"), DEBUG (off, as pytest-django sets it) and logging.
_KEPT_SETTINGS = {"DATABASES", "STORAGES", "ALLOWED_HOSTS", "DEBUG", "LOGGING", "LOGGING_CONFIG"}


def _forget_frontend_caches() -> None:
    """Empty what the frontend keeps per process: snapshots and rendered bodies.

    The page cache (SnapshotPageCache) lives in the middleware chain of each test client; the
    shared cache and its locks in the test's own FRONTEND_CACHE_DIR.
    """
    from frontend_site.board import snapshots, views

    snapshots._FRESH.clear()
    views._RENDERED.clear()


@pytest.fixture
def frontend_settings(settings, tmp_path):
    """The frontend's settings in this process, with the service token as its BACKEND_API_KEY
    and empty caches: a FRONTEND_CACHE_DIR of the test's own.

    BACKEND_URL is the development default until a test (or ``frontend``) points it.
    """
    from frontend_site import settings as frontend

    for name in dir(frontend):
        if name.isupper() and name not in _KEPT_SETTINGS:
            value = getattr(frontend, name)
            if getattr(settings, name, None) != value:
                setattr(settings, name, value)
    settings.BACKEND_API_KEY = SERVICE_TOKEN
    settings.FRONTEND_CACHE_DIR = tmp_path / "frontend-cache"
    settings.CACHES = frontend.instance_caches(settings.FRONTEND_CACHE_DIR)
    _forget_frontend_caches()
    yield settings
    _forget_frontend_caches()


@pytest.fixture
def frontend(frontend_settings, backend_server, client):
    """Django's test client on the frontend in this process, over the served backend."""
    frontend_settings.BACKEND_URL = backend_server.url
    return client


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on: every call to it is refused at once."""
    return f"http://127.0.0.1:{free_port()}"


# Short timeouts for in-process tests of a backend that never answers, and what a view may
# take at most then: both timeouts plus rendering.
CONNECT_TIMEOUT = 0.2
READ_TIMEOUT = 0.3
WITHIN_THE_TIMEOUTS = CONNECT_TIMEOUT + READ_TIMEOUT + 1.0


@pytest.fixture
def get_from_a_hanging_backend(frontend_settings, hanging_backend_url, client):
    """GET a path in process while the backend takes connections and never answers, with the
    short timeouts above: returns the response and the seconds it took."""
    frontend_settings.BACKEND_URL = hanging_backend_url
    frontend_settings.BACKEND_CONNECT_TIMEOUT = CONNECT_TIMEOUT
    frontend_settings.BACKEND_READ_TIMEOUT = READ_TIMEOUT

    def get(path: str):
        started = time.monotonic()
        response = client.get(path)
        return response, time.monotonic() - started

    return get


@pytest.fixture
def hanging_backend_url(closed_port_url, silent_server) -> str:
    """A loopback URL that accepts connections and never answers."""
    return silent_server(int(closed_port_url.rsplit(":", 1)[1])).url


class GarbageHandler(BaseHTTPRequestHandler):
    """Answers every path with something the frontend must not trust."""

    answers = {
        "/api/v1/leaderboards/global/entries": (200, b"<html>not json</html>"),
        "/api/v1/leaderboards/global/players/someone": (200, b'{"rank": "first"}'),
    }

    def do_GET(self):
        status, body = self.answers.get(self.path.split("?")[0], (500, b"Internal Error"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def garbage_backend():
    """The URL of a backend that answers garbage (GarbageHandler), shut down after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), GarbageHandler)
    # A short poll interval: shutdown() waits for the loop's next look.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class CountingBackend(ThreadingHTTPServer):
    """A stand-in for the backend on loopback that takes ``delay`` seconds to answer and counts
    what it is asked: calls per path, and the most calls in flight at once.

    Boards have one player; a player whose id starts with "missing" does not exist (the
    backend's JSON 404 for a player, player_not_found), every other one does.
    """

    daemon_threads = True
    request_queue_size = 128  # a flood waits in the backlog, not refused

    def __init__(self, delay: float):
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.delay = delay
        self.calls: collections.Counter[str] = collections.Counter()
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class CountingHandler(BaseHTTPRequestHandler):
    server: CountingBackend

    def do_GET(self):
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.calls[path] += 1
            self.server.in_flight += 1
            self.server.most_in_flight = max(self.server.most_in_flight, self.server.in_flight)
        try:
            time.sleep(self.server.delay)
            status, body = self._answer(path.split("/"))
        finally:
            # Before the answer goes out: once it has, the caller may send its next call
            # before this thread runs again, and a count taken after would see both.
            with self.server.lock:
                self.server.in_flight -= 1
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, parts: list[str]) -> tuple[int, bytes]:
        row = {"rank": 1, "player_id": "counted", "name": "Counted Once", "score": 100}
        # ['', 'api', 'v1', 'leaderboards', board, 'entries' | 'players', player_id?]
        if len(parts) == 6 and parts[5] == "entries":
            return 200, json.dumps({"total": 1, "entries": [row]}).encode()
        if len(parts) == 7 and parts[5] == "players":
            if parts[6].startswith("missing"):
                return 404, b'{"error": {"code": "player_not_found", "message": "no score"}}'
            standing = {**row, "player_id": parts[6], "percentile": 100.0, "total": 1}
            return 200, json.dumps({**standing, "around": [row]}).encode()
        return 404, b'{"error": {"code": "not_found", "message": "no such thing"}}'

    def log_message(self, *args):
        pass


@pytest.fixture
def counting_backend():
    """Return ``start(delay) -> CountingBackend``; every one started is closed after the test."""
    started: list[CountingBackend] = []

    def start(delay: float) -> CountingBackend:
        started.append(CountingBackend(delay))
        return started[-1]

    yield start
    for server in started:
        server.close()


class CannedBackend(ThreadingHTTPServer):
    """A stand-in for the backend on loopback that answers each path with what the test put in
    ``answers`` (path -> (status, a JSON-able object, or bytes sent as they are)); any other
    path gets the backend's JSON 404. ``asked`` lists (path, query) of every call."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), CannedHandler)
        self.answers: dict[str, tuple[int, object]] = {}
        self.asked: list[tuple[str, dict[str, str]]] = []
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, path: str, body: object, status: int = 200) -> None:
        self.answers[f"/api/v1{path}"] = (status, body)

    def queries(self, path: str) -> list[dict[str, str]]:
        return [query for asked, query in self.asked if asked == f"/api/v1{path}"]

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class CannedHandler(BaseHTTPRequestHandler):
    server: CannedBackend

    def do_GET(self):
        path, _, query = self.path.partition("?")
        self.server.asked.append((path, dict(urllib.parse.parse_qsl(query))))
        not_found = {"error": {"code": "not_found", "message": "no such thing"}}
        status, body = self.server.answers.get(path, (404, not_found))
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def canned_backend(frontend_settings):
    """A CannedBackend the frontend in this process is pointed at; closed after the test."""
    server = CannedBackend()
    frontend_settings.BACKEND_URL = server.url
    yield server
    server.close()
