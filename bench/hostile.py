"""Hostile traffic, for the drills in tests/test_hostile_traffic.py and `make chaos`.

- Tricklers: connections that send a request one byte every few seconds (its head, or its
  body), reconnecting whenever the server closes them, all from one thread.
- probe: what other clients see meanwhile (status and seconds of each request).
- flood: many requests at once, each on a new connection, and how each was answered.
"""

from __future__ import annotations

import contextlib
import random
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 4000 + b"\r\n\r\n"
SLOW_BODY = (
    b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4000\r\n\r\n" + b"x" * 4000
)


class Tricklers:
    """``count`` connections to ``port``, each sending ``request`` one byte every
    ``interval`` seconds (after ``at_once`` bytes sent at once, to reach the body, say)."""

    def __init__(self, port: int, *, count: int, interval: float, request: bytes, at_once: int = 0):
        self.port = port
        self.count = count
        self.interval = interval
        self.request = request
        self.at_once = at_once
        self.opened = 0
        self.closed_by_server = 0  # connections the server closed (or answered) mid-request
        self.lifetimes: list[float] = []  # seconds from connecting to being closed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tricklers", daemon=True)

    def __enter__(self) -> Tricklers:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _connect(self, selector: selectors.BaseSelector) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.setblocking(False)
        state = {"sent": 0, "opened": time.monotonic(), "next": time.monotonic()}
        if self.at_once:
            state["sent"] = sock.send(self.request[: self.at_once])
        selector.register(sock, selectors.EVENT_READ, state)
        self.opened += 1

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        for _ in range(self.count):
            try:
                self._connect(selector)
            except OSError:
                time.sleep(0.01)
        while not self._stop.is_set():
            now = time.monotonic()
            for key, _ in selector.select(timeout=0.05):
                self._closed(selector, key, now)
            for key in list(selector.get_map().values()):
                state = key.data
                if state["next"] <= now and state["sent"] < len(self.request) - 1:
                    try:
                        key.fileobj.send(self.request[state["sent"] : state["sent"] + 1])
                        state["sent"] += 1
                    except OSError:
                        self._closed(selector, key, now)
                        continue
                    state["next"] = now + self.interval
        for key in list(selector.get_map().values()):
            key.fileobj.close()
        selector.close()

    def _closed(self, selector, key, now: float) -> None:
        """The server answered or closed a trickling connection: count it, open another."""
        try:
            data = key.fileobj.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data and not data.startswith(b"HTTP/1.1 408"):
            return  # an answer we did not expect; the connection stays
        selector.unregister(key.fileobj)
        key.fileobj.close()
        self.closed_by_server += 1
        self.lifetimes.append(now - key.data["opened"])
        if not self._stop.is_set():
            with contextlib.suppress(OSError):
                self._connect(selector)


@dataclass
class Answer:
    status: int  # 0: no answer (connection error or timeout)
    seconds: float
    retry_after: str | None = None


def get(url: str, headers: dict | None = None, timeout: float = 10.0) -> Answer:
    """One GET on a new connection: its status (0 for no answer) and seconds."""
    started = time.monotonic()
    try:
        response = requests.get(
            url, timeout=timeout, headers={"Connection": "close", **(headers or {})}
        )
    except requests.RequestException:
        return Answer(0, time.monotonic() - started)
    return Answer(
        response.status_code, time.monotonic() - started, response.headers.get("Retry-After")
    )


def probe(url: str, *, count: int, every: float, headers: dict | None = None) -> list[Answer]:
    """``count`` GETs of ``url``, one every ``every`` seconds, one after the other."""
    answers = []
    for _ in range(count):
        answers.append(get(url, headers))
        time.sleep(every)
    return answers


def flood(url: str, *, requests_total: int, clients: int) -> list[Answer]:
    """``requests_total`` GETs of ``url``, ``clients`` at a time."""
    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda _: get(url), range(requests_total)))


def p99(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


# --- `python -m bench.hostile`: the three drills against both real sites ------------------------

SLOW_CLIENTS = 1000
PROBE_P99_MAX_S = 1.0
OVERLOAD_FACTOR = 16
ACCEPTED_P99_MAX_S = 2.0
REFUSED_P99_MAX_S = 0.05
RECOVER_MAX_S = 2.0


def _p(seconds: list[float], share: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def slow_clients_drill(site, probe_url: str, headers: dict | None = None) -> dict:
    """SLOW_CLIENTS connections trickling a head one byte every 3 s, while a client probes."""
    with Tricklers(site.port, count=SLOW_CLIENTS, interval=3.0, request=SLOW_HEAD) as slow:
        time.sleep(3)
        started = time.monotonic()
        answers = probe(probe_url, count=50, every=0.1, headers=headers)
        time.sleep(max(0.0, 12 - (time.monotonic() - started)))  # past HEADER_TIMEOUT_SECONDS
    seconds = [a.seconds for a in answers]
    return {
        "slow_connections": slow.opened,
        "closed_by_server": slow.closed_by_server,
        "slow_lifetime_max_s": round(max(slow.lifetimes, default=0.0), 1),
        "probes": len(answers),
        "probes_answered": sum(a.status == 200 for a in answers),
        "probe_p50_ms": round(_p(seconds, 0.5) * 1000, 1),
        "probe_p99_ms": round(_p(seconds, 0.99) * 1000, 1),
        "met": all(a.status == 200 for a in answers) and _p(seconds, 0.99) < PROBE_P99_MAX_S,
    }


def _sample(url_of, stop: threading.Event, headers: dict | None, clients: int = 6):
    """``clients`` threads asking for ``url_of()`` one after the other until ``stop``."""
    answers: list[Answer] = []

    def client() -> None:
        while not stop.is_set():
            answers.append(get(url_of(), headers, timeout=15))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    return answers, threads


def overload_drill(
    base_url: str, template: str, players: int, headers: dict | None = None, base: int = 32
) -> dict:
    """wrk on random players' pages at ``base`` connections, then at OVERLOAD_FACTOR times
    that while a few clients sample what each kind of answer costs; then the recovery."""
    from bench import wrk

    args = [str(players), template]
    normal, _ = wrk.run(
        base_url, duration=5, connections=base, threads=2, headers=headers,
        script="random_pages.lua", script_args=args,
    )  # fmt: skip
    rng = random.Random(1)

    def url_of() -> str:
        return base_url + template % f"p{rng.randint(1, players):07d}"

    stop = threading.Event()
    sampled, threads = _sample(url_of, stop, headers)
    # The floor: what the cheapest answer there is (the health check, never shed) takes
    # meanwhile, through the same machine, client and poller.
    floor, floor_threads = _sample(lambda: base_url + "/healthz", stop, None, clients=2)
    threads += floor_threads
    heavy, _ = wrk.run(
        base_url, duration=10, connections=base * OVERLOAD_FACTOR, threads=2, headers=headers,
        script="random_pages.lua", script_args=args, timeout_s=10,
    )  # fmt: skip
    stop.set()
    for thread in threads:
        thread.join()
    ended = time.monotonic()
    recovered_after = None
    while time.monotonic() - ended < 15:
        window = [get(url_of(), headers) for _ in range(8)]
        ok = [a.seconds for a in window if a.status == 200]
        if len(ok) == len(window) and _p(ok, 0.99) <= max(2 * normal.p99_ms / 1000, 0.1):
            recovered_after = time.monotonic() - ended
            break
    accepted = [a.seconds for a in sampled if a.status == 200]
    refused = [a.seconds for a in sampled if a.status in (429, 503)]
    return {
        "normal_connections": base,
        "normal_rps": round(normal.rps, 1),
        "normal_p99_ms": normal.p99_ms,
        "heavy_connections": base * OVERLOAD_FACTOR,
        "heavy_rps": round(heavy.rps, 1),
        "heavy_non_2xx": heavy.non_2xx,
        "heavy_socket_errors": heavy.socket_errors,
        "sampled": len(sampled),
        "sampled_accepted_p99_ms": round(_p(accepted, 0.99) * 1000, 1),
        "sampled_refused": len(refused),
        "sampled_refused_p99_ms": round(_p(refused, 0.99) * 1000, 1),
        "sampled_other": sum(a.status not in (200, 429, 503) for a in sampled),
        "floor_healthz_p50_ms": round(_p([a.seconds for a in floor], 0.5) * 1000, 1),
        "floor_healthz_p99_ms": round(_p([a.seconds for a in floor], 0.99) * 1000, 1),
        "sampled_refused_p50_ms": round(_p(refused, 0.5) * 1000, 1),
        "recovered_after_s": None if recovered_after is None else round(recovered_after, 1),
        "met": bool(accepted)
        and _p(accepted, 0.99) < ACCEPTED_P99_MAX_S
        and (not refused or _p(refused, 0.99) < REFUSED_P99_MAX_S)
        and recovered_after is not None
        and recovered_after < RECOVER_MAX_S,
    }


# Two visitors behind the proxy the frontend trusts by default (loopback).
FLOODER = {"X-Forwarded-For": "203.0.113.66"}
VISITOR = {"X-Forwarded-For": "198.51.100.7"}


def url_flood_drill(frontend, backend_log, known_url: str) -> dict:
    """32 clients ask for distinct made-up players for 10 s; what it costs the backend."""
    before = backend_log().count("/players/r")
    counter = iter(range(10**9))
    lock = threading.Lock()
    stop = time.monotonic() + 10
    statuses: list[int] = []

    def client() -> None:
        while time.monotonic() < stop:
            with lock:
                n = next(counter)
            try:
                url = f"{frontend.url}/players/r{n:09d}/"
                response = requests.get(url, headers=FLOODER, timeout=10)
                statuses.append(response.status_code)
            except Exception:
                statuses.append(0)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(32)]
    for thread in threads:
        thread.start()
    known = probe(known_url, count=20, every=0.4, headers=VISITOR)
    for thread in threads:
        thread.join()
    time.sleep(1)  # the backend's log lines are written in batches
    calls = backend_log().count("/players/r") - before
    return {
        "distinct_ids": len(statuses),
        "backend_calls": calls,
        "backend_calls_per_s": round(calls / 10, 1),
        "refused_429": statuses.count(429),
        "known_player_pages_ok": sum(a.status == 200 for a in known),
        "known_player_p99_ms": round(_p([a.seconds for a in known], 0.99) * 1000, 1),
        # Per worker: the flooder's budget (60 at once, then 1 a second), 4 workers.
        "met": all(a.status == 200 for a in known) and calls <= 4 * (60 + 10) + 4,
    }


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    from datetime import datetime

    from bench.measure import TOKEN, say
    from bench.report import RESULTS_DIR
    from bench.session import Session, backend_env, checked, frontend_env
    from common.local_servers import ROOT, GunicornSite, RedisServer, manage

    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__)
    parser.add_argument("--players", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    session = Session("leaderboard-hostile-", keep=args.keep)
    results: dict = {}
    with session:
        here = session.workdir
        redis = session.processes.add(RedisServer(here / "redis"))
        redis.start()
        env = backend_env(redis.url, f"sqlite:///{here / 'db.sqlite3'}")
        checked(manage("migrate", "--no-input", env=env), "migrate")
        seed = ("--players", str(args.players), "--random-seed", "1")
        checked(manage("seed", *seed, env=env), "seed")
        backend = session.processes.add(GunicornSite("backend_site.wsgi", env, here / "b.log"))
        backend.start()
        fenv = frontend_env(backend.url, here / "static")
        checked(manage("collectstatic", "--no-input", env=fenv), "collectstatic")
        # The load comes from one address: as one visitor it would spend the budget for
        # unknown players at once. The URL flood drill has a frontend with the defaults.
        lifted = {
            "FRONTEND_LOOKUPS_PER_SECOND": "1e9",
            "FRONTEND_LOOKUPS_PER_VISITOR_MINUTE": "1e9",
        }
        frontend = GunicornSite("frontend_site.wsgi", {**fenv, **lifted}, here / "f.log")
        session.processes.add(frontend).start()
        guarded = GunicornSite("frontend_site.wsgi", fenv, here / "f2.log")
        session.processes.add(guarded).start()
        auth = {"Authorization": f"Bearer {TOKEN}"}
        entries = requests.get(
            f"{backend.url}/api/v1/leaderboards/global/entries?limit=1", headers=auth, timeout=5
        ).json()["entries"]
        known = f"{frontend.url}/players/{entries[0]['player_id']}/"
        say("slow clients: backend")
        results["slow_backend"] = slow_clients_drill(backend, f"{backend.url}/getdata", auth)
        say("slow clients: frontend")
        results["slow_frontend"] = slow_clients_drill(frontend, f"{frontend.url}/")
        say("overload: the frontend's player pages")
        results["overload_frontend"] = overload_drill(frontend.url, "/players/%s/", args.players)
        say("overload: the backend's standings")
        standing = "/api/v1/leaderboards/global/players/%s?around=5"
        results["overload_backend"] = overload_drill(backend.url, standing, args.players, auth)
        say("made-up URLs")
        known = f"{guarded.url}/players/{entries[0]['player_id']}/"
        requests.get(f"{guarded.url}/", timeout=5)  # the board page: its players are known
        results["url_flood"] = url_flood_drill(guarded, backend.log, known)
        session.ok = True
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    path = RESULTS_DIR / f"hostile-{stamp}.json"
    path.write_text(json.dumps({"players": args.players, **results}, indent=2))
    for name, figures in results.items():
        print(f"{name}: {json.dumps(figures)}")
    print(f"results: {path.relative_to(ROOT)}")
    return 0 if session.ok and all(r["met"] for r in results.values()) else 1


if __name__ == "__main__":
    import sys

    sys.exit(main())
