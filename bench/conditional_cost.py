"""What a viewer polling an unchanged board costs the frontend: a 304 against a full 200.

    python -m bench.conditional_cost [--requests 20000] [--rounds 5]

A viewer's page polls the table with If-None-Match; while the scores do not change it gets a
304. This measures the frontend's CPU time per request, first through gunicorn (one worker,
gunicorn.conf.py, SERVED_CLIENTS keep-alive connections; the CPU of all its processes, read
from /proc), then in one process through the whole middleware stack alone (the WSGI
application as gunicorn calls it, request log included), of:

- a 304 for /table/ from the page cache (the poller's usual case);
- a 200 for /table/ from the page cache, uncompressed and in brotli;
- a 200 for /data.json from the page cache;
- for scale, a 200 for /table/ rendered anew (past the page cache, the template rendered and
  compressed again: what each fresh period costs once per page and worker).

The backend is real (SQLite and a redis-server of its own, 1,000 seeded players, under
gunicorn); FRONTEND_CACHE_SECONDS is an hour so every measured request is a page-cache hit and
the backend is asked once per page. The rounds alternate the kinds; the figure is the median
round's CPU microseconds per request. Through gunicorn, a quarter of the requests are sent
(a round trip costs more than a call); the render is timed in process only.
"""

from __future__ import annotations

import argparse
import io
import itertools
import logging
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import cpu
from bench.session import backend_env, checked, frontend_env
from common.local_servers import GunicornSite, RedisServer, manage

BR = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
SERVED_CLIENTS = 2
# kind -> (path, request headers, rendered anew: past the page cache, the template rendered)
KINDS = {
    "304 /table/ (If-None-Match)": ("/table/", dict(BR), False),
    "200 /table/ identity": ("/table/", {}, False),
    "200 /table/ gzip": ("/table/", {"HTTP_ACCEPT_ENCODING": "gzip"}, False),
    "200 /table/ br": ("/table/", BR, False),
    "200 /data.json br": ("/data.json", BR, False),
    "200 /table/ rendered anew, br": ("/table/", BR, True),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.conditional_cost", description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000, help="per kind and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="conditional-cost-"))
    redis = RedisServer(workdir / "redis")
    redis.start()
    backend = None
    try:
        env = backend_env(redis.url, f"sqlite:///{workdir / 'backend.sqlite3'}")
        checked(manage("migrate", "--no-input", env=env), "migrate")
        seed = ("seed", "--players", "1000", "--board", "global", "--random-seed", "1")
        checked(manage(*seed, env=env), "seed")
        backend = GunicornSite("backend_site.wsgi", env, workdir / "backend.log")
        backend.start()
        frontend = {
            **frontend_env(backend.url, workdir / "static"),
            "FRONTEND_CACHE_SECONDS": "3600",
            "FRONTEND_CACHE_DIR": str(workdir / "frontend-cache"),
        }
        checked(manage("collectstatic", "--no-input", env=frontend), "collectstatic")
        served = GunicornSite("frontend_site.wsgi", frontend, workdir / "frontend.log")
        served.start()
        try:
            print("through gunicorn, one worker (its CPU, all its processes):")
            for kind, micros in _measure_served(served, args).items():
                print(f"{kind:32} {micros:8.1f} µs CPU per request")
        finally:
            served.stop()
        print("in process, the WSGI application alone:")
        os.environ.update(frontend)
        for kind, (micros, size) in _measure(args).items():
            print(f"{kind:32} {micros:8.1f} µs CPU per request {size:>8} bytes of body")
    finally:
        if backend is not None:
            backend.stop()
        redis.stop()


def _measure_served(site: GunicornSite, args) -> dict[str, float]:
    """CPU µs per request of the frontend's gunicorn (master and worker) for the page-cache
    kinds, sent by SERVED_CLIENTS keep-alive connections; the median round."""
    import requests

    kinds = {kind: spec for kind, spec in KINDS.items() if not spec[2]}
    wire = {kind: _http_headers(headers) for kind, (_, headers, _) in kinds.items()}
    etag = requests.get(f"{site.url}/table/", timeout=10).headers["ETag"]
    wire["304 /table/ (If-None-Match)"]["If-None-Match"] = etag
    count = args.requests // 4  # a round trip through the socket is slower than a call

    def send(url: str, headers: dict[str, str]) -> None:
        expected = 304 if "If-None-Match" in headers else 200
        with requests.Session() as session:
            for _ in range(count // SERVED_CLIENTS):
                status = session.get(url, headers=headers, timeout=10).status_code
                assert status == expected, (url, status)

    rounds: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(args.rounds):
        for kind, (path, _, _) in kinds.items():
            before = cpu.session_seconds(site.process.pid)
            with ThreadPoolExecutor(SERVED_CLIENTS) as pool:
                sent = [
                    pool.submit(send, f"{site.url}{path}", wire[kind])
                    for _ in range(SERVED_CLIENTS)
                ]
            for done in sent:
                done.result()
            used = cpu.session_seconds(site.process.pid) - before
            rounds[kind].append(used / count * 1e6)
    return {kind: statistics.median(values) for kind, values in rounds.items()}


def _http_headers(environ_headers: dict[str, str]) -> dict[str, str]:
    """HTTP_ACCEPT_ENCODING -> Accept-Encoding; identity when none is named (requests would
    ask for gzip by itself)."""
    named = {
        key.removeprefix("HTTP_").replace("_", "-").title(): value
        for key, value in environ_headers.items()
    }
    return {"Accept-Encoding": "identity", **named}


def _measure(args) -> dict[str, tuple[float, str]]:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    # The request log's line is part of every request's cost, but not of the bench's output.
    # Left open: the log's flusher thread writes to it until the process ends.
    devnull = open(os.devnull, "w")  # noqa: SIM115
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", ()):
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
    return _rounds(application, args)


def _rounds(application, args) -> dict[str, tuple[float, str]]:
    from frontend_site.board import views

    def call(path: str, headers: dict[str, str], query: str = "") -> tuple[str, dict[str, str]]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": io.StringIO(),
            **headers,
        }
        started = []
        b"".join(application(environ, lambda status, sent, *_: started.append((status, sent))))
        return started[0][0], dict(started[0][1])

    status, sent = call("/table/", {})
    assert status.startswith("200"), status
    # The poller holds the ETag the table came with.
    KINDS["304 /table/ (If-None-Match)"][1]["HTTP_IF_NONE_MATCH"] = sent["ETag"]
    sizes = {}
    for kind, (path, headers, _) in KINDS.items():  # the page cache filled, answers as expected
        status, sent = call(path, headers)
        sizes[kind] = sent.get("Content-Length", "0")
        assert status[:3] == ("304" if "HTTP_IF_NONE_MATCH" in headers else "200"), status
    rounds: dict[str, list[float]] = {kind: [] for kind in KINDS}
    unseen = itertools.count()
    for _ in range(args.rounds):
        for kind, (path, headers, anew) in KINDS.items():
            count = args.requests // 20 if anew else args.requests  # a render takes ms
            started = time.process_time()
            for _ in range(count):
                if anew:  # a URL the page cache has not seen, a body not yet rendered
                    views._RENDERED.clear()
                    call(path, headers, f"n={next(unseen)}")
                else:
                    call(path, headers)
            rounds[kind].append((time.process_time() - started) / count * 1e6)
    return {kind: (statistics.median(values), sizes[kind]) for kind, values in rounds.items()}


if __name__ == "__main__":
    main()
