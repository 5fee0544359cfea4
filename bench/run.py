"""`make bench`: load both sites at several board sizes and compare with a bare WSGI ceiling.

    python -m bench.run [--quick] [--sizes 1000 100000 1000000] [--duration 10] [--profile]

For each size it seeds a fresh SQLite database and a fresh private redis-server, starts the
backend and the frontend under gunicorn with gunicorn.conf.py (production settings, loopback
only), and runs `wrk` against each endpoint. Everything it starts it stops again.
"""

from __future__ import annotations

import argparse
import os
import platform
import runpy
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench import report, wrk
from bench.measure import CEILING, ENDPOINTS, FLOORS, Endpoint, get_json, load, say
from bench.report import Results, Run, Seed
from bench.session import (
    Processes,
    Session,
    backend_env,
    checked,
    frontend_env,
    load_config,
    parse_args,
)
from common.local_servers import ROOT, GunicornSite, RedisServer, manage

BOARD = "global"  # /getdata reads the global board
PERIOD_BOARD = "global-weekly"  # resets weekly; seeded on its own, after global's timed seed
# Run in `manage.py shell`: copy the board's rows of this period into the one before, dated
# then, and date the board from that period's start (a period that ended before the board
# was made does not exist). Prints the earlier period's id.
PAST_PERIOD_COPY = """
from django.db import connection, transaction
from backend_site.rankings.calendar import clock, periods
from backend_site.rankings.models import Leaderboard, Score

board = Leaderboard.objects.get(slug={slug!r})
current = board.period_at(clock.now())
past = periods.period_before(board.reset, board.timezone, current)
stamp = connection.ops.adapt_datetimefield_value(past.start)
table = Score._meta.db_table
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {{table}} (board_id, period, player_id, value, achieved_at, version) "
            f"SELECT board_id, %s, player_id, value, %s, version FROM {{table}} "
            "WHERE board_id = %s AND period = %s",
            [past.id, stamp, board.pk, current.id],
        )
    Leaderboard.objects.filter(pk=board.pk).update(created_at=past.start)
print(past.id)
"""
FULL_SIZES = [1_000, 100_000, 1_000_000]
QUICK_SIZES = [1_000, 10_000]
HELPS = {
    "quick": "Sizes 1k and 10k, 3 s runs.",
    "profile": "At the largest size, run each read once more under py-spy (needs py-spy).",
}


@dataclass
class Board:
    """What the load needs to know about a seeded board."""

    size: int
    mid_player: str | None
    ids_file: Path | None
    past_period: str = ""  # an earlier period of PERIOD_BOARD, with as many players
    past_mid_player: str | None = None


PERIOD_READS = ("period_past", "period_standing")  # the reads that need a past period


def _wanted(args, keys) -> bool:
    return not args.only or any(key in args.only for key in keys)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, help="Board sizes (players).")
    parser.add_argument(
        "--only", nargs="+", metavar="ENDPOINT", help="Measure only these endpoint keys."
    )
    args = parse_args(parser, argv, HELPS)
    args.sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    return args


# --- Machine --------------------------------------------------------------------------------


def machine() -> dict:
    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    def version(*command: str) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=10)
        except OSError:
            return "missing"
        return (done.stdout or done.stderr).splitlines()[0].strip()

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    def git(*command: str) -> str:
        return subprocess.run(
            ["git", *command], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    changed = [line[3:] for line in git("status", "--porcelain").splitlines()]
    return {
        "nproc": os.cpu_count(),
        "memory": first("/proc/meminfo", "MemTotal"),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": version("wrk", "--version"),
        "redis_server": version("redis-server", "--version"),
        "gunicorn": {
            "worker_class": conf["worker_class"],
            "workers": conf["workers"],
            "threads": conf["threads"],
            "keepalive": conf["keepalive"],
            "reuse_port": conf.get("reuse_port", False),
        },
        "git_commit": commit,
        "uncommitted_changes": [path for path in changed if not path.startswith("bench/")],
    }


def start_ceiling(args, processes: Processes, workdir: Path) -> dict[str, GunicornSite]:
    """The bare WSGI app and the Django floors (bench/floor.py), kept up for the whole run and
    measured next to each board size."""
    started = {}
    if not args.only or CEILING.key in args.only:
        started[CEILING.key] = GunicornSite("bench.ceiling", {}, workdir / "ceiling.log")
    floors = [floor for floor in FLOORS if not args.only or floor.key in args.only]
    if floors:
        redis = processes.add(RedisServer(workdir / "floor-redis"))
        redis.start()
    for floor in floors:
        # The floors run the backend's settings; only floor-redis touches Redis, no view the
        # database.
        env = backend_env(redis.url, f"sqlite:///{workdir / 'floor.sqlite3'}")
        env["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
        env["BENCH_FLOOR"] = "django" if floor.key == "floor_django" else "backend"
        started[floor.key] = GunicornSite("bench.floor", env, workdir / f"{floor.key}.log")
    for server in started.values():
        processes.add(server).start()
    return started


def measure_ceiling(args, ceilings: dict[str, GunicornSite], size: int | None, results: Results):
    paths = {CEILING.key: "/", "floor_redis": "/floor-redis"}
    for endpoint in [CEILING, *FLOORS]:
        server = ceilings.get(endpoint.key)
        if server is not None:
            watch = {endpoint.site: server.pid}
            url = server.url + paths.get(endpoint.key, "/floor")
            results.runs.append(load(args, endpoint, size, url, watch=watch))


def seed_board(size: int, env: dict[str, str], redis: RedisServer, results: Results) -> Seed:
    seed = Seed(size=size)
    before = redis.used_memory()
    say(f"seeding {size:,} players")
    started = time.perf_counter()
    checked(
        manage("seed", "--players", str(size), "--board", BOARD, "--random-seed", "1", env=env),
        f"manage.py seed --players {size}",
    )
    seed.seconds = time.perf_counter() - started
    seed.redis_bytes = redis.used_memory() - before
    say(f"  seeded in {seed.seconds:.1f} s, {seed.bytes_per_player:.0f} Redis bytes/player")
    results.seeds.append(seed)
    return seed


def seed_past_period(env: dict[str, str], size: int) -> str:
    """Give PERIOD_BOARD this week and a past one as large as the board (not timed with the
    seed): the same players and scores as global, in its current period, then copied."""
    started = time.perf_counter()
    checked(
        manage(
            "seed", "--players", str(size), "--board", PERIOD_BOARD, "--random-seed", "1", env=env
        ),
        f"manage.py seed --players {size} --board {PERIOD_BOARD}",
    )
    say(f"  {PERIOD_BOARD}: seeded this week in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    done = checked(
        manage("shell", "-c", PAST_PERIOD_COPY.format(slug=PERIOD_BOARD), env=env),
        f"copying {PERIOD_BOARD}'s scores into its previous period",
    )
    period = done.stdout.strip().splitlines()[-1]
    say(f"  {PERIOD_BOARD} {period}: copied in {time.perf_counter() - started:.1f} s")
    return period


def board_facts(size: int, backend: GunicornSite, redis: RedisServer, workdir: Path) -> Board:
    """Find a mid-board player through the API and sample ids for score submissions."""
    # key names live in one place
    from backend_site.rankings.ranking_index.layout import SEQ_BYTES, zset_key

    entries = f"{backend.url}/api/v1/leaderboards/{BOARD}/entries"
    total = get_json(f"{entries}?limit=1")["total"]
    middle = get_json(f"{entries}?offset={total // 2}&limit=1")["entries"]
    client = redis.client()
    try:
        members = client.zrandmember(zset_key(BOARD), 2000) or []
        ids = [member[SEQ_BYTES:].decode() for member in members]
    finally:
        client.close()
    ids_file = None
    if ids:
        ids_file = workdir / "player_ids.txt"
        ids_file.write_text("\n".join(ids) + "\n")
    mid_player = middle[0]["player_id"] if middle else None
    return Board(size=total, mid_player=mid_player, ids_file=ids_file)


def past_period_facts(board: Board, period: str, backend: GunicornSite) -> None:
    """Load the past period into Redis (its first read does, from the database) and find
    its mid-board player."""
    entries = f"{backend.url}/api/v1/leaderboards/{PERIOD_BOARD}/entries?period={period}"
    started = time.perf_counter()
    total = get_json(f"{entries}&limit=1", timeout=900)["total"]
    elapsed = time.perf_counter() - started
    say(f"  {PERIOD_BOARD} {period}: {total:,} players, first read {elapsed:.1f} s")
    middle = get_json(f"{entries}&offset={total // 2}&limit=1")["entries"]
    board.past_period = period
    board.past_mid_player = middle[0]["player_id"] if middle else None


def measure_size(
    args,
    size: int,
    processes: Processes,
    workdir: Path,
    results: Results,
    *,
    ceiling: dict[str, GunicornSite],
    profile: bool,
) -> None:
    here = workdir / f"players-{size}"
    here.mkdir()
    redis = processes.add(RedisServer(here / "redis"))
    redis.start()
    env = backend_env(redis.url, f"sqlite:///{here / 'backend.sqlite3'}")
    checked(manage("migrate", "--no-input", env=env), "manage.py migrate")
    seed_board(size, env, redis, results)
    past_period = seed_past_period(env, size) if _wanted(args, PERIOD_READS) else ""

    backend = processes.add(GunicornSite("backend_site.wsgi", env, here / "backend.log"))
    backend.start()
    # A cache folder per size: no stale copies or backend slots shared with another frontend.
    fenv = {
        **frontend_env(backend.url, workdir / "frontend-static"),
        "FRONTEND_CACHE_DIR": str(here / "frontend-cache"),
    }
    if not (workdir / "frontend-static").exists():
        checked(manage("collectstatic", "--no-input", env=fenv), "frontend collectstatic")
    frontend = processes.add(GunicornSite("frontend_site.wsgi", fenv, here / "frontend.log"))
    frontend.start()

    board = board_facts(size, backend, redis, here)
    say(f"board {BOARD}: {board.size:,} players; mid-board player {board.mid_player}")
    if past_period:
        past_period_facts(board, past_period, backend)
    measure_ceiling(args, ceiling, size, results)  # right next to this size's runs
    api = f"{backend.url}/api/v1/leaderboards/{BOARD}"
    periodic = f"{backend.url}/api/v1/leaderboards/{PERIOD_BOARD}"
    urls = {
        "getdata": f"{backend.url}/getdata",
        "entries_top": f"{api}/entries?offset=0&limit=10",
        "entries_deep": f"{api}/entries?offset={board.size // 2}&limit=10",
        "standing": f"{api}/players/{board.mid_player}?around=5" if board.mid_player else None,
        "period_top": f"{periodic}/entries?offset=0&limit=10",
        "period_past": (
            f"{periodic}/entries?period={board.past_period}&offset=0&limit=10"
            if board.past_period
            else None
        ),
        "period_standing": (
            f"{periodic}/players/{board.past_mid_player}?period=previous&around=5"
            if board.past_mid_player
            else None
        ),
        "scores_post": f"{api}/scores" if board.ids_file else None,
        "frontend_page": f"{frontend.url}/",
        "frontend_data": f"{frontend.url}/data.json",
    }
    watch = {"redis": redis.process.pid, "backend": backend.pid, "frontend": frontend.pid}
    servers = {"backend": backend, "frontend": frontend}
    profiler = _profiler(args, servers, here, results) if profile else None
    for endpoint in ENDPOINTS:
        if args.only and endpoint.key not in args.only:
            continue
        url = urls[endpoint.key]
        if url is None:
            reason = "no players"
            results.runs.append(
                Run(endpoint.key, endpoint.label, endpoint.read, size, skipped=reason)
            )
            continue
        results.runs.append(
            load(
                args,
                endpoint,
                size,
                url,
                watch=watch,
                post_ids=board.ids_file if endpoint.key == "scores_post" else None,
                profiler=profiler if endpoint.read else None,
            )
        )
    for server in (frontend, backend, redis):
        if server is not None:
            processes.remove(server)
    if not args.keep:
        shutil.rmtree(here, ignore_errors=True)


def _profiler(args, servers: dict[str, GunicornSite | None], here: Path, results: Results):
    """Measure a read once more while py-spy samples the site serving it (not counted)."""
    from bench import profile

    def run_profiled(endpoint: Endpoint, url: str, options: dict) -> None:
        raw = here / f"profile-{endpoint.key}.raw"
        summary = profile.record_during(
            servers[endpoint.site].pid,
            lambda: wrk.run(url, duration=args.duration, **options),
            seconds=args.duration,
            raw_output=raw,
        )
        results.profiles[endpoint.key] = summary
        say(f"  py-spy profile of {endpoint.label} (raw stacks: {raw}):\n{summary}")

    return run_profiled


# --- Main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    session = Session("leaderboard-bench-", keep=args.keep)
    workdir = session.workdir
    results = Results(
        config={"sizes": args.sizes, **load_config(args)},
        machine=machine(),
        started_at=session.started.isoformat(timespec="seconds"),
        notes=session.notes,
    )
    session.announce(f"sizes {args.sizes}", args, results.machine)
    with session:
        wrk.ensure_wrk()
        if args.profile:
            from bench import profile

            profile.ensure_py_spy()
        ceiling = start_ceiling(args, session.processes, workdir)
        for size in args.sizes:
            measure_size(
                args,
                size,
                session.processes,
                workdir,
                results,
                ceiling=ceiling,
                profile=args.profile and size == max(args.sizes),
            )
        session.ok = True

    found = report.targets(results)
    path = report.write(results, found, finished_at=datetime.now().astimezone())
    print()
    print(report.table(results))
    print()
    print(report.seeds_table(results))
    print()
    print(report.targets_table(found))
    for note in results.notes:
        print(f"note: {note}")
    print(f"\nresults: {path.relative_to(ROOT)} (and bench/results/latest.json)")
    return 0 if session.ok else 1


if __name__ == "__main__":
    sys.exit(main())
