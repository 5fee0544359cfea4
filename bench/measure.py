"""What is measured (the endpoints) and how one endpoint is loaded with wrk."""

from __future__ import annotations

import collections
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench import cpu, wrk
from bench.report import Run

TOKEN = "bench-service-token"


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    site: str  # backend, frontend or ceiling
    read: bool = True


ENDPOINTS = [
    Endpoint("getdata", "backend /getdata (top 100)", "backend"),
    Endpoint("entries_top", "backend entries top 10", "backend"),
    Endpoint("entries_deep", "backend entries offset N/2", "backend"),
    Endpoint("standing", "backend player around=5 (mid)", "backend"),
    # A friends list: 20 players picked at random, in one POST (bench/lua/post_lookup.lua).
    Endpoint("lookup", "backend lookup of 20 players", "backend"),
    # A board that resets (global-weekly, fed by global): this week, and last week's rows,
    # which the first read loads from the database into Redis (bench.run warms it).
    Endpoint("period_top", "backend weekly top 10 (current)", "backend"),
    Endpoint("period_past", "backend weekly top 10 (past period)", "backend"),
    Endpoint("period_standing", "backend weekly player (previous)", "backend"),
    Endpoint("frontend_page", "frontend /", "frontend"),
    Endpoint("frontend_data", "frontend /data.json", "frontend"),
    Endpoint("scores_post", "backend POST scores (write)", "backend", read=False),
]
CEILING = Endpoint("ceiling", "ceiling: bare WSGI (bench.ceiling)", "ceiling", read=False)
# Measured beside the ceiling: Django with no middleware, with the backend's middleware, and
# with the backend's middleware and one Redis round trip (bench/floor.py).
FLOORS = [
    Endpoint("floor_django", "floor: Django, no middleware", "floor_django", read=False),
    Endpoint("floor_backend", "floor: Django + backend middleware", "floor_backend", read=False),
    Endpoint("floor_redis", "floor: the same + one Redis PING", "floor_backend", read=False),
]


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def size_text(size: int | None) -> str:
    return "-" if size is None else f"{size:,}"


def get_json(url: str, *, token: bool = True, timeout: float = 30):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {TOKEN}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def probe(url: str, *, data: bytes | None = None, token: bool) -> str:
    """One request before the load: '' when it answers 2xx, else what went wrong."""
    request = urllib.request.Request(url, data=data)
    if token:
        request.add_header("Authorization", f"Bearer {TOKEN}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read()[:200]!r}"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def connection_spread(port: int) -> list[int]:
    """How wrk's connections are spread over the server's worker processes, busiest first."""
    if not shutil.which("ss"):
        return []
    listing = subprocess.run(
        ["ss", "-tnpH", "state", "established", "sport", f"= :{port}"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout
    return sorted(collections.Counter(re.findall(r"pid=(\d+)", listing)).values(), reverse=True)


def load(
    args,
    endpoint: Endpoint,
    size: int | None,
    url: str,
    *,
    watch: dict[str, int],
    post_ids: Path | None = None,
    profiler=None,
) -> Run:
    """Probe the URL once, warm up, then measure it with wrk; `watch` names server sessions."""
    token = endpoint.site in ("backend", "floor_backend")
    run = Run(endpoint=endpoint.key, label=endpoint.label, read=endpoint.read, size=size)
    body = None
    if post_ids is not None:
        first_id = post_ids.read_text().split("\n", 1)[0]
        body = json.dumps(
            {"player_ids": [first_id]}
            if endpoint.key == "lookup"
            else {"player_id": first_id, "score": 1}
        ).encode()
    problem = probe(url, data=body, token=token)
    if problem:
        say(f"  {endpoint.label}: probe failed ({problem}); measuring anyway")
    options = {
        "connections": args.connections,
        "threads": args.threads,
        "headers": {"Authorization": f"Bearer {TOKEN}"} if token else {},
    }
    if post_ids is not None:
        script = "post_lookup.lua" if endpoint.key == "lookup" else "post_scores.lua"
        options.update(script=script, script_args=[str(post_ids)])
    if args.warmup:
        wrk.run(url, duration=args.warmup, **options)
    spread: list[int] = []
    sampler = threading.Timer(
        args.duration / 2, lambda: spread.extend(connection_spread(urlsplit(url).port))
    )
    before = cpu.snapshot(watch)
    sampler.start()
    try:
        result, _ = wrk.run(url, duration=args.duration, **options)
    finally:
        sampler.cancel()
    run.cpu_cores = cpu.cores_used(before, cpu.snapshot(watch))
    run.connections_per_worker = spread
    run.rps, run.p50_ms, run.p99_ms = result.rps, result.p50_ms, result.p99_ms
    run.errors, run.non_2xx, run.requests = result.errors, result.non_2xx, result.requests
    if problem and not run.errors:
        run.errors = 1  # the probe's failure counts: wrk does not count 3xx as errors
    cores = ", ".join(f"{name} {value:.2f}" for name, value in run.cpu_cores.items())
    say(
        f"  {endpoint.label:<34} {size_text(size):>10}: {run.rps:,.0f} req/s, "
        f"p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms, errors {run.errors}; "
        f"cores: {cores}; connections per worker {spread}"
    )
    if profiler is not None:
        profiler(endpoint, url, options)
    return run
