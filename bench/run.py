"""`make bench`: load both sites at several board sizes and compare with a bare WSGI ceiling.

    python -m bench.run [--quick] [--sizes 1000 100000 1000000] [--duration 10] [--profile]
    python -m bench.run --against <git-ref> [--rounds 3] [--sizes ...] [--only ...]

For each size it seeds a fresh SQLite database and a fresh private redis-server, starts the
backend and the frontend under gunicorn with gunicorn.conf.py (production settings, loopback
only), and runs `wrk` against each endpoint. Everything it starts it stops again.

With --against, the sites of <git-ref> and of this checkout are served in turn against the
same seeded board, round after round, and each endpoint's median rates are compared
(bench/compare.py); the ceiling and the floors are not measured.
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

from bench import compare, report, wrk
from bench.measure import CEILING, ENDPOINTS, FLOORS, Endpoint, get_json, load, say, size_text
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
    compare.arguments_add(parser, served="sites")
    args = parse_args(parser, argv, HELPS)
    args.sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    if args.against:
        if args.profile:
            parser.error("--profile does not go with --against")
        if args.only and not any(e.key in args.only for e in ENDPOINTS):
            parser.error("--against measures the sites' endpoints, not the ceiling or floors")
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
        return subprocess.run(  # not strip(): a porcelain line may start with a space
            ["git", *command], cwd=ROOT, capture_output=True, text=True
        ).stdout.rstrip()

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


def seed_size(
    args, size: int, processes: Processes, workdir: Path, results: Results
) -> tuple[Path, RedisServer, dict[str, str], str]:
    """A fresh Redis and SQLite database for ``size``, migrated and seeded: its folder, the
    Redis, the backend's environment and the past period of PERIOD_BOARD (if wanted)."""
    here = workdir / f"players-{size}"
    here.mkdir()
    redis = processes.add(RedisServer(here / "redis"))
    redis.start()
    env = backend_env(redis.url, f"sqlite:///{here / 'backend.sqlite3'}")
    checked(manage("migrate", "--no-input", env=env), "manage.py migrate")
    seed_board(size, env, redis, results)
    past_period = seed_past_period(env, size) if _wanted(args, PERIOD_READS) else ""
    return here, redis, env, past_period


def start_sites(
    processes: Processes,
    env: dict[str, str],
    here: Path,
    workdir: Path,
    *,
    side: compare.Side | None = None,
    round_: int | None = None,
) -> tuple[GunicornSite, GunicornSite]:
    """Start the backend, then the frontend in front of it: this checkout's, or ``side``'s
    (its own static files, frontend cache and logs, checked to serve its own code)."""
    root, conf = (ROOT, None) if side is None else (side.root, side.conf)
    name = "" if side is None else f"-{side.name}"
    logs = "" if side is None else f"-{side.name}-{round_}"
    backend = GunicornSite(
        "backend_site.wsgi", env, here / f"backend{logs}.log", root=root, conf=conf
    )
    processes.add(backend).start()
    # A cache folder per size: no stale copies or backend slots shared with another frontend.
    static = workdir / f"frontend-static{name}"
    fenv = {
        **frontend_env(backend.url, static),
        "FRONTEND_CACHE_DIR": str(here / f"frontend-cache{name}"),
    }
    if not static.exists():
        collected = manage("collectstatic", "--no-input", env=fenv, root=root)
        checked(collected, f"frontend collectstatic{name}")
    frontend = GunicornSite(
        "frontend_site.wsgi", fenv, here / f"frontend{logs}.log", root=root, conf=conf
    )
    processes.add(frontend).start()
    if side is not None:
        for site, package in ((backend, "backend_site"), (frontend, "frontend_site")):
            served = compare.check_served(site, side, package)
            say(f"  {side.label}: {package} from {served}")
    return backend, frontend


def endpoint_urls(backend: str, frontend: str, board: Board) -> dict[str, str | None]:
    """Each endpoint's URL on these sites (None: the board has nothing to read there)."""
    api = f"{backend}/api/v1/leaderboards/{BOARD}"
    periodic = f"{backend}/api/v1/leaderboards/{PERIOD_BOARD}"
    return {
        "getdata": f"{backend}/getdata",
        "entries_top": f"{api}/entries?offset=0&limit=10",
        "entries_deep": f"{api}/entries?offset={board.size // 2}&limit=10",
        "standing": f"{api}/players/{board.mid_player}?around=5" if board.mid_player else None,
        "lookup": f"{api}/players/lookup" if board.ids_file else None,
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
        "frontend_page": f"{frontend}/",
        "frontend_data": f"{frontend}/data.json",
    }


def measure_endpoints(
    args,
    size: int,
    board: Board,
    sites: tuple[GunicornSite, GunicornSite],
    redis: RedisServer,
    results: Results,
    *,
    profiler=None,
    side: str = "",
    round_: int | None = None,
) -> None:
    """Load each endpoint (those of --only) of the running sites in turn."""
    backend, frontend = sites
    urls = endpoint_urls(backend.url, frontend.url, board)
    watch = {"redis": redis.process.pid, "backend": backend.pid, "frontend": frontend.pid}
    for endpoint in ENDPOINTS:
        if args.only and endpoint.key not in args.only:
            continue
        url = urls[endpoint.key]
        if url is None:
            run = Run(endpoint.key, endpoint.label, endpoint.read, size, skipped="no players")
        else:
            run = load(
                args,
                endpoint,
                size,
                url,
                watch=watch,
                post_ids=board.ids_file if endpoint.key in ("scores_post", "lookup") else None,
                profiler=profiler if endpoint.read else None,
            )
        run.side, run.round = side, round_
        results.runs.append(run)


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
    here, redis, env, past_period = seed_size(args, size, processes, workdir, results)
    backend, frontend = start_sites(processes, env, here, workdir)
    board = board_facts(size, backend, redis, here)
    say(f"board {BOARD}: {board.size:,} players; mid-board player {board.mid_player}")
    if past_period:
        past_period_facts(board, past_period, backend)
    measure_ceiling(args, ceiling, size, results)  # right next to this size's runs
    servers = {"backend": backend, "frontend": frontend}
    profiler = _profiler(args, servers, here, results) if profile else None
    measure_endpoints(args, size, board, (backend, frontend), redis, results, profiler=profiler)
    for server in (frontend, backend, redis):
        if server is not None:
            processes.remove(server)
    if not args.keep:
        shutil.rmtree(here, ignore_errors=True)


def compare_size(
    args,
    size: int,
    sides: dict[str, compare.Side],
    processes: Processes,
    workdir: Path,
    results: Results,
) -> None:
    """Seed ``size`` once, then measure both sides' sites on it, round after round."""
    here, redis, env, past_period = seed_size(args, size, processes, workdir, results)
    # The board's facts (and the past period loaded into Redis) come from this checkout.
    backend = processes.add(GunicornSite("backend_site.wsgi", env, here / "backend-facts.log"))
    backend.start()
    board = board_facts(size, backend, redis, here)
    say(f"board {BOARD}: {board.size:,} players; mid-board player {board.mid_player}")
    if past_period:
        past_period_facts(board, past_period, backend)
    processes.remove(backend)
    for round_ in range(1, args.rounds + 1):
        for name in compare.order(round_):
            side = sides[name]
            say(f"{size:,} players, round {round_}/{args.rounds}: {side.label}")
            sites = start_sites(processes, env, here, workdir, side=side, round_=round_)
            try:
                measure_endpoints(
                    args, size, board, sites, redis, results, side=name, round_=round_
                )
            finally:
                for server in reversed(sites):
                    processes.remove(server)
    processes.remove(redis)
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


def main_against(args) -> int:
    """--against: the base's sites and this checkout's in turn on each size; the ratios."""
    commit = compare.commit_named(args.against)
    if commit is None:
        return 2
    session = Session("leaderboard-bench-compare-", keep=args.keep)
    results = Results(
        config={
            "sizes": args.sizes,
            **load_config(args),
            "against": args.against,
            "base_commit": commit,
            "rounds": args.rounds,
            "tolerance": compare.TOLERANCE,
            "only": args.only,
        },
        machine=machine(),
        started_at=session.started.isoformat(timespec="seconds"),
        notes=session.notes,
    )
    base_label, this_label = compare.labels(args.against, commit, results.machine)
    if differ := compare.migrations_differ(commit):
        results.notes.append(
            f"the migrations differ between the base and this checkout ({', '.join(differ)}): "
            "both sides were served the database this checkout migrated"
        )
    what = f"{args.rounds} rounds of {base_label} and {this_label}"
    session.announce(f"sizes {args.sizes}, {what}", args, results.machine)
    with compare.sides(commit, session.workdir) as sides, session:
        say(f"{args.against} ({commit[:10]}) exported into {sides['base'].root}")
        wrk.ensure_wrk()
        for size in args.sizes:
            compare_size(args, size, sides, session.processes, session.workdir, results)
        session.ok = True

    samples = [
        compare.Sample(run.endpoint, run.label, size_text(run.size), run.side, run.rps, run.errors)
        for run in results.runs
        if run.side
    ]
    found = compare.rows(samples)
    data = {
        "started_at": results.started_at,
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "config": results.config,
        "machine": results.machine,
        "sides": {name: {"commit": s.commit, "served": s.served} for name, s in sides.items()},
        "runs": [run.as_dict() for run in results.runs],
        "seeds": [seed.as_dict() for seed in results.seeds],
        "notes": results.notes,
    }
    path = compare.write(data, found, started_at=session.started)
    print()
    print(compare.table(found, base_label, this_label))
    print()
    print(compare.summary(found))
    print(f"(median of {args.rounds} round(s) per side, alternating which side went first)")
    print()
    print(report.seeds_table(results))
    for note in results.notes:
        print(f"note: {note}")
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0 if session.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.against:
        return main_against(args)
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
