"""`make bench-live`: a thousand open pages polling one frontend instance, and what they cost.

    python -m bench.live [--pages 1000] [--window 60] [--write-every 4] [--keep]

It seeds a board, starts the backend and ONE frontend instance under gunicorn with
gunicorn.conf.py (production settings, loopback, FRONTEND_CACHE_SECONDS=1), then:

1. page views before any page opens: wrk, a closed loop of a few keep-alive connections asking
   for the full board page (`/`), for --views seconds (for reference);
2. opens --pages simulated pages, each polling the table fragment as static/board/refresh.js
   does (its interval read from the page's data-live-seconds, each wait 0.8-1.2 times it,
   If-None-Match with the last ETag, one keep-alive connection per page: hand-written HTTP/1.1
   over asyncio, so a thousand of them cost the load generator little), while a writer
   submits a new #1 to the backend every --write-every seconds;
3. over --window seconds, the frontend's CPU (its gunicorn master and workers, from
   /proc/<pid>/stat) and, for every write and every page, the time from the write to the page
   holding it;
4. page views with the pages polling and with them paused (their connections held open, no
   requests), in turns, --rounds times each, so that what else the machine runs meanwhile
   weighs on both alike; the medians are compared.

It prints the three figures against their targets (issue 27) and writes them to
bench/results/live-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gzip
import json
import os
import random
import re
import resource
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import requests

from bench import cpu, wrk
from bench.measure import TOKEN, say
from bench.report import RESULTS_DIR
from bench.session import Session, backend_env, checked, frontend_env
from common.local_servers import ROOT, GunicornSite, RedisServer, manage

CPU_TARGET = 0.25  # of one core
LATENCY_P99_TARGET_S = 5.0
VIEWS_LOSS_TARGET = 0.10
JITTER = 0.2  # as static/board/refresh.js: each wait is 0.8-1.2 times the interval
BACKOFF_MAX_S = 60.0
REQUEST_TIMEOUT_S = 10.0
VIEW_CONNECTIONS = 4
WRITER_NAME = "Live writer {:05d}"
WRITER_SEEN = re.compile(rb"Live writer (\d{5})")
LIVE_SECONDS = re.compile(rb'data-live-seconds="([0-9.]+)"')


# --- the writer ----------------------------------------------------------------------------------


@dataclass
class Write:
    index: int
    sent_at: float  # time.monotonic() as the POST left: the commit comes after it
    acked_at: float = 0.0


class Writer:
    """A thread posting a new #1 to the backend every ``every`` seconds while ``on``."""

    def __init__(self, backend_url: str, *, top_score: int, every: float):
        self.url = f"{backend_url}/api/v1/leaderboards/global/scores"
        self.top_score = top_score
        self.every = every
        self.writes: list[Write] = []
        self.failed = 0
        self.on = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="writer", daemon=True)
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {TOKEN}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            if self.on.is_set():
                self._write()

    def _write(self) -> None:
        index = len(self.writes)
        write = Write(index=index, sent_at=time.monotonic())
        body = {
            "player_id": f"live-writer-{index}",
            "name": WRITER_NAME.format(index),
            "score": self.top_score + 1000 * (index + 1),
        }
        try:
            response = self._session.post(self.url, json=body, timeout=10)
            response.raise_for_status()
        except requests.RequestException:
            self.failed += 1
            return
        write.acked_at = time.monotonic()
        self.writes.append(write)


# --- the open pages ------------------------------------------------------------------------------


@dataclass
class PageStats:
    polls: int = 0
    not_modified: int = 0
    changed: int = 0
    stale: int = 0
    errors: int = 0
    error_kinds: collections.Counter = field(default_factory=collections.Counter)
    connections: int = 0
    bytes_in: int = 0
    # write index -> time.monotonic() the page first held it
    seen_at: dict[int, float] = field(default_factory=dict)


class Pages:
    """``count`` pages on ``port``, each polling ``path`` every ``every`` seconds (with the
    script's jitter and back-off) on a keep-alive connection of its own."""

    def __init__(self, port: int, path: str, *, count: int, every: float):
        self.port = port
        self.path = path
        self.count = count
        self.every = every
        self.stats = [PageStats() for _ in range(count)]
        self.stop = asyncio.Event()
        self.paused = False  # the pages keep their connections and ask nothing
        self.open_pages = 0

    def polls(self) -> int:
        return sum(stats.polls for stats in self.stats)

    async def run(self) -> None:
        await asyncio.gather(*(self._page(i) for i in range(self.count)))

    async def _page(self, i: int) -> None:
        stats = self.stats[i]
        etag: str | None = None
        seen = -1
        failures = 0
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        # Pages were opened at any moment: the first poll comes within one interval.
        if await self._sleep(random.uniform(0, self.every)):
            return
        self.open_pages += 1
        try:
            while not self.stop.is_set():
                if self.paused:
                    await self._sleep(0.2)
                    continue
                try:
                    if conn is None:
                        conn = await asyncio.open_connection("127.0.0.1", self.port)
                        stats.connections += 1
                    status, headers, body = await asyncio.wait_for(
                        _exchange(*conn, self._request(etag)), REQUEST_TIMEOUT_S
                    )
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    stats.errors += 1
                    stats.error_kinds[type(exc).__name__] += 1
                    failures += 1
                    conn = _closed(conn)
                else:
                    now = time.monotonic()
                    stats.polls += 1
                    stats.bytes_in += len(body)
                    if headers.get("connection", "").lower() == "close":
                        conn = _closed(conn)
                    stale = headers.get("x-data-stale") == "true"
                    if status in (200, 304):
                        stats.stale += stale
                        failures = failures + 1 if stale else 0
                    if status == 304:
                        stats.not_modified += 1
                    elif status == 200:
                        etag = headers.get("etag")
                        newest = max((int(n) for n in WRITER_SEEN.findall(body)), default=-1)
                        if newest > seen:
                            stats.changed += 1
                            for index in range(seen + 1, newest + 1):
                                stats.seen_at.setdefault(index, now)
                            seen = newest
                    else:
                        stats.errors += 1
                        stats.error_kinds[str(status)] += 1
                        failures += 1
                wait = min(self.every * 2 ** min(failures, 5), BACKOFF_MAX_S)
                if await self._sleep(wait * random.uniform(1 - JITTER, 1 + JITTER)):
                    break
        finally:
            self.open_pages -= 1
            _closed(conn)

    async def _sleep(self, seconds: float) -> bool:
        """Sleep ``seconds``; True if the pages were told to stop meanwhile."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.stop.wait(), seconds)
        return self.stop.is_set()

    def _request(self, etag: str | None) -> bytes:
        lines = [
            f"GET {self.path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "Connection: keep-alive",  # as Chromium sends on HTTP/1.1
            "User-Agent: bench.live",
            "Accept: text/html",
            "Accept-Encoding: gzip",
            "Cache-Control: no-cache",
        ]
        if etag:
            lines.append(f"If-None-Match: {etag}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, dict[str, str], bytes]:
    """Send one request; read its answer: status, headers (lower-case names), body."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if status in (204, 304) or status < 200:
        body = b""
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _chunked(reader)
    else:
        body = await reader.read()
        headers["connection"] = "close"
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return status, headers, body


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _closed(conn) -> None:
    if conn is not None:
        conn[1].close()
    return None


# --- the figures ---------------------------------------------------------------------------------


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def latencies(writes: list[Write], pages: Pages, since: float, until: float) -> dict:
    """For every write sent in [since, until) and every page: seconds from the write leaving
    to the page holding it; a page that never did counts as infinitely late."""
    counted = [w for w in writes if since <= w.sent_at < until]
    seconds: list[float] = []
    missed = 0
    for write in counted:
        for stats in pages.stats:
            at = stats.seen_at.get(write.index)
            if at is None:
                missed += 1
                seconds.append(float("inf"))
            else:
                seconds.append(max(0.0, at - write.sent_at))
    return {
        "writes": len(counted),
        "samples": len(seconds),
        "missed": missed,
        "p50_s": round(_p(seconds, 0.5), 2),
        "p99_s": round(_p(seconds, 0.99), 2),
        "max_s": round(max(seconds, default=float("nan")), 2),
    }


def page_views(url: str, seconds: int) -> dict:
    result, _ = wrk.run(url, duration=seconds, connections=VIEW_CONNECTIONS, threads=2)
    return {**result.as_dict(), "rps": round(result.rps, 1)}


def raise_open_files(needed: int) -> int:
    """Raise this process's open-file limit (inherited by the sites it starts) to ``needed``,
    or as far as the hard limit allows; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    return soft


# --- the run -------------------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.live", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--pages", type=int, default=1000, help="Open pages (1,000).")
    parser.add_argument("--players", type=int, default=10_000, help="Seeded players (10,000).")
    parser.add_argument("--window", type=int, default=60, help="Seconds of CPU measured (60).")
    parser.add_argument("--views", type=int, default=8, help="Seconds per page-view run (8).")
    parser.add_argument("--rounds", type=int, default=3, help="Page-view runs of each kind (3).")
    parser.add_argument("--write-every", type=float, default=4.0, help="Seconds between writes.")
    parser.add_argument("--keep", action="store_true", help="Keep the work directory.")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    files = raise_open_files(args.pages * 2 + 1024)
    session = Session("leaderboard-live-", keep=args.keep)
    results: dict = {
        "pages": args.pages,
        "players": args.players,
        "window_s": args.window,
        "open_files_limit": files,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "git_commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
    }
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
        fenv = {**frontend_env(backend.url, here / "static"), "FRONTEND_CACHE_SECONDS": "1"}
        checked(manage("collectstatic", "--no-input", env=fenv), "collectstatic")
        frontend = GunicornSite("frontend_site.wsgi", fenv, here / "f.log")
        session.processes.add(frontend).start()
        auth = {"Authorization": f"Bearer {TOKEN}"}
        top = requests.get(
            f"{backend.url}/api/v1/leaderboards/global/entries?limit=1", headers=auth, timeout=5
        ).json()["entries"][0]["score"]
        page = requests.get(f"{frontend.url}/", timeout=5).content
        every = float(LIVE_SECONDS.search(page).group(1))
        results["poll_every_s"] = every
        say(f"page views, no page open ({args.views} s, wrk -c{VIEW_CONNECTIONS}); work dir {here}")
        results["views_before"] = page_views(frontend.url + "/", args.views)
        writer = Writer(backend.url, top_score=top, every=args.write_every)
        writer.start()
        say(f"{args.pages} pages polling /table/ every {every} s (±{JITTER:.0%})")
        measured = asyncio.run(_with_pages(args, frontend, writer, every))
        writer.stop()
        results.update(measured)
        results["writes_failed"] = writer.failed
        session.ok = True
    if not session.ok:
        print("\n".join(session.notes))
        return 1
    return _report(results)


async def _with_pages(args, frontend: GunicornSite, writer: Writer, every: float) -> dict:
    pages = Pages(frontend.port, "/table/", count=args.pages, every=every)
    running = asyncio.ensure_future(pages.run())
    await asyncio.sleep(every + 5)  # every page open, and its first answer in
    writer.on.set()
    before = cpu.snapshot({"frontend": frontend.pid})
    client_before = time.process_time()
    window_start = time.monotonic()
    polls_before = pages.polls()
    await asyncio.sleep(args.window)
    after = cpu.snapshot({"frontend": frontend.pid})
    window_end = time.monotonic()
    window_polls = pages.polls() - polls_before
    client = (time.process_time() - client_before) / (window_end - window_start)
    await asyncio.sleep(2 * every * (1 + JITTER) + 2)  # the window's last write reaches all
    latency = latencies(writer.writes, pages, window_start, window_end)
    say(f"page views, {args.rounds} x {args.views} s with the pages polling and paused in turn")
    views: dict[str, list[dict]] = {"polling": [], "paused": []}
    loop = asyncio.get_running_loop()
    for round_ in range(args.rounds):
        for paused in (False, True) if round_ % 2 == 0 else (True, False):
            pages.paused = paused
            await asyncio.sleep(1)  # polls on their way are answered
            run = await loop.run_in_executor(None, page_views, frontend.url + "/", args.views)
            views["paused" if paused else "polling"].append(run)
    pages.paused = False
    open_at_end = pages.open_pages
    pages.stop.set()
    await running
    used = cpu.cores_used(before, after)
    polls = pages.polls()
    return {
        "frontend_cores": used["frontend"],
        "machine_cores": used["machine"],
        "load_generator_cores": round(client, 3),
        "pages_open_at_end": open_at_end,
        "polls": polls,
        "polls_per_s": round(window_polls / (window_end - window_start), 1),
        "not_modified": sum(s.not_modified for s in pages.stats),
        "changed": sum(s.changed for s in pages.stats),
        "stale": sum(s.stale for s in pages.stats),
        "errors": sum(s.errors for s in pages.stats),
        "connections": sum(s.connections for s in pages.stats),
        "bytes_per_poll": round(sum(s.bytes_in for s in pages.stats) / max(polls, 1)),
        "error_kinds": dict(sum((s.error_kinds for s in pages.stats), collections.Counter())),
        "latency": latency,
        "views_polling": views["polling"],
        "views_paused": views["paused"],
    }


def _report(results: dict) -> int:
    views_alone = statistics.median(run["rps"] for run in results["views_paused"])
    views_with = statistics.median(run["rps"] for run in results["views_polling"])
    views_loss = 1 - views_with / views_alone
    latency = results["latency"]
    cores = results["frontend_cores"]
    checks = {
        "cpu": cores < CPU_TARGET,
        "latency": latency["p99_s"] <= LATENCY_P99_TARGET_S and latency["writes"] > 0,
        "page_views": views_loss <= VIEWS_LOSS_TARGET,
        "no_errors": results["errors"] == 0,
    }
    results["views_paused_rps"] = round(views_alone, 1)
    results["views_polling_rps"] = round(views_with, 1)
    results["views_loss"] = round(views_loss, 3)
    results["met"] = checks
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"live-{datetime.now().strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2))

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    pages, every = results["pages"], results["poll_every_s"]
    print(f"{pages} open pages polling every {every} s: {results['polls_per_s']} polls/s, "
          f"{results['not_modified']:,} of {results['polls']:,} answered 304, "
          f"{results['errors']} errors {results['error_kinds'] or ''}")  # fmt: skip
    print(f"(a) frontend CPU: {cores:.0%} of one core (target < {CPU_TARGET:.0%}): "
          f"{mark(checks['cpu'])}")  # fmt: skip
    print(f"(b) write to page: p50 {latency['p50_s']} s, p99 {latency['p99_s']} s over "
          f"{latency['samples']:,} (write, page) pairs, {latency['missed']} missed "
          f"(target p99 <= {LATENCY_P99_TARGET_S:g} s): {mark(checks['latency'])}")  # fmt: skip
    print(f"(c) page views: {views_with:,.1f}/s with the pages polling, "
          f"{views_alone:,.1f}/s with them paused (medians), {views_loss:+.1%} lost "
          f"(target <= {VIEWS_LOSS_TARGET:.0%}): {mark(checks['page_views'])}")  # fmt: skip
    print(f"results: {path.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    import sys

    sys.exit(main())
