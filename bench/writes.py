"""`make bench-writes`: score submissions next to reads, on PostgreSQL and on SQLite.

    python -m bench.writes [--quick] [--size 1000000] [--duration 10] [--ids 4000]
                           [--engines postgres sqlite] [--keep] [--profile]
    python -m bench.writes --against <git-ref> [--rounds 3] [--engines ...] [--size ...]

For each engine it seeds a fresh database (a private, durable PostgreSQL cluster, or a SQLite
file) and a private redis-server, lets the seed's writes settle, starts the backend under
gunicorn as bench.run does, and loads that one server with wrk: top-10 reads (the baseline),
single submissions to `global` (which feeds global-weekly and global-daily), the same to a
board with the same players that feeds none, the same again once that board limits each
player's submissions a minute, batches of 500 and single submissions with an Idempotency-Key,
each write run to players of its own; and the top-10 reads again with an API key that has a
rate. Then `manage.py verify_rankings` must find Redis and the database agreeing. Everything
it starts it stops again.

With --against, the backend of <git-ref> and this checkout's are served in turn on the same
seeded database, round after round, for the first five loads (not the feature costs), each
write run to players of its own, and their median rates are compared (bench/compare.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import shutil
import statistics
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from bench import compare, cpu, wrk
from bench.measure import TOKEN, get_json, probe, say
from bench.report import Rates, Target, results_write, targets_table
from bench.run import machine
from bench.session import (
    Processes,
    Session,
    backend_env,
    checked,
    load_config,
    parse_args,
)
from common.local_servers import ROOT, GunicornSite, RedisServer, manage

BOARD = "global"  # feeds global-weekly and global-daily (migration 0005)
SOLO = "bench-solo"  # like global, feeding no board: what one board's submission costs
# Run in `manage.py shell`: make SOLO as global is, minus the boards it feeds.
SOLO_CREATE = f"""
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.writes.boards import board_create

source = Leaderboard.objects.get(slug={BOARD!r})
board_create(
    slug={SOLO!r},
    settings={{
        "title": "Bench: no fed boards", "order": source.order, "operator": source.operator
    }},
    actor="command:bench",
)
"""
# Run in `manage.py shell`: give SOLO a per-player limit no bench player reaches, so every
# submission pays for the check and none is refused.
SOLO_LIMIT = f"""
from backend_site.rankings.models import Leaderboard

Leaderboard.objects.filter(slug={SOLO!r}).update(max_submissions_per_minute=10_000)
"""
SOLO_UNLIMIT = SOLO_LIMIT.replace("10_000", "None")
SANCTIONED_PLAYERS = 200
SANCTIONED_FROM = 1_000  # the hidden players' ranks start below it: the top 10 read stays
# the same players, so the run compares what hiding costs a read, not two different pages
# (the players lifted again come back new since the day's snapshot, cheaper to show).
# Run in `manage.py shell`: hide players ranked past SANCTIONED_FROM, each through the API's
# own path, with a sanction that ends tomorrow, so every read also checks an end time due.
SANCTIONS_HIDE = f"""
from datetime import timedelta
from backend_site.rankings.calendar import clock
from backend_site.rankings.writes import sanctions
from backend_site.rankings.models import Score

until = clock.now() + timedelta(days=1)
best = Score.objects.filter(board__slug={BOARD!r}).order_by("-value")
ranked = best.values_list("player_id", flat=True)
for player_id in ranked[{SANCTIONED_FROM}:{SANCTIONED_FROM + SANCTIONED_PLAYERS}]:
    sanctions.sanction_create(
        player_id=player_id, action="hide", reason="bench", until=until, actor="bench"
    )
"""
SANCTIONS_LIFT = """
from backend_site.rankings.writes import sanctions
from backend_site.rankings.models import Player

hidden = list(Player.objects.filter(hidden=True).values_list("player_id", flat=True))
sanctions.players_lift_all(player_ids=hidden, actor="bench")
"""
SANCTION_CHECK_SECONDS = 5.0  # backend_site.rankings.writes.sanctions.CHECK_SECONDS
BOARD_CACHE_SECONDS = 5.0  # backend_site.rankings.calendar.boards: how soon the backend sees it
READ_KEY_RATE = "1000000/s"  # a rate the bench never reaches: what checking one costs
FULL_SIZE = 1_000_000
QUICK_SIZE = 10_000
IDS_DEFAULT = 4_000
IDS_MIN = 2_000
BATCH_ITEMS = 500
BATCH_CONNECTIONS = 8
ENGINES = ("postgres", "sqlite")
HELPS = {
    "quick": "10k players, 3 s runs.",
    "profile": "Run single submissions once more under py-spy (if installed; not counted).",
}

SINGLE_VS_READ_MIN = 0.4
SINGLE_VS_FLOOR_MIN = 0.85  # single submissions (feeding none) / the write floor
PG_SINGLE_P99_MAX_MS = 80.0
SQLITE_SINGLE_P99_MAX_MS = 250.0
PG_BATCH_SCORES_MIN = 20_000.0
FED_COST_MAX = 1.5  # a submission to a board feeding two more / one to a board feeding none
KEY_READ_COST_MAX = 1.05  # top-10 reads: service token / an API key with a rate
LIMITED_WRITE_COST_MAX = 1.10  # single submissions: no per-player limit / a limit
SANCTIONED_READ_COST_MAX = 1.05  # top-10 reads: no sanction / hidden players, an end due


@dataclass(frozen=True)
class Load:
    key: str
    label: str
    items: int  # scores per request; 0 for a read
    script: str | None = None
    board: str = BOARD
    rated_key: bool = False  # sent with an API key that has a rate, not the service token
    connections: int | None = None  # wrk connections, if not --connections


LOADS = [
    Load("read", "GET entries top 10 (baseline)", 0),
    Load("single", "POST one score (feeds 2 boards)", 1, "post_scores.lua"),
    Load("single_solo", "POST one score (feeds none)", 1, "post_scores.lua", board=SOLO),
    # Two connections per worker (of 4 threads): a batch takes a second or more, so more
    # connections only queue, and a queue longer than a second is shed by design
    # (common/gunicorn_worker.py): at 32 connections most batches were 503s, at 16 (as many
    # as the threads, but spread unevenly over the workers) still nine in ten.
    Load(
        "batch",
        f"POST batch of {BATCH_ITEMS} scores",
        BATCH_ITEMS,
        "post_batch.lua",
        connections=BATCH_CONNECTIONS,
    ),
    Load("idempotent", "POST one score + Idempotency-Key", 1, "post_scores.lua"),
]
# The write floor (bench/floor_urls.py: one prepared upsert and one Redis script call behind
# the backend's middleware), on SOLO's rows: PostgreSQL only, its statement is PostgreSQL's.
FLOOR = Load("floor", "POST write floor (upsert + script)", 1, "post_scores.lua", board=SOLO)


@dataclass(frozen=True)
class Cost:
    """What a feature costs: the same load without it and with it, in COST_ROUNDS rounds of
    one run each, alternating which goes first; the ratio is the median round's."""

    key: str
    name: str
    most: float
    without: Load
    with_it: Load
    # What with_it runs under, set before its runs and undone before without's: "limited"
    # (SOLO limits each player's submissions), "sanctioned" (some players hidden).
    setting: str = ""


COST_ROUNDS = 5
COSTS = [
    Cost(
        "key_reads",
        "top-10 reads: service token / API key with a rate",
        KEY_READ_COST_MAX,
        Load("cost_read", "GET top 10, service token", 0),
        Load("cost_read_key", "GET top 10, API key with a rate", 0, rated_key=True),
    ),
    Cost(
        "limited_writes",
        "single submissions: no limit / per-player limit",
        LIMITED_WRITE_COST_MAX,
        Load("cost_write", "POST one score, no limit", 1, "post_scores.lua", board=SOLO),
        Load("cost_write_limited", "POST one score, limit", 1, "post_scores.lua", board=SOLO),
        setting="limited",
    ),
    Cost(
        "sanctioned_reads",
        f"top-10 reads: no sanction / {SANCTIONED_PLAYERS} hidden, one due to end",
        SANCTIONED_READ_COST_MAX,
        Load("cost_read_unsanctioned", "GET top 10, no sanction", 0),
        Load("cost_read_sanctioned", f"GET top 10, {SANCTIONED_PLAYERS} hidden", 0),
        setting="sanctioned",
    ),
]


@dataclass
class Measured(Rates):
    load: str
    label: str
    items: int
    socket_errors: int = 0
    timeouts: int = 0  # of the socket errors: no answer within wrk's --timeout (5 s)
    probe: str = ""  # what the one request before the load got, when it was not a 2xx
    side: str = ""  # with --against: which checkout served it, "base" or "this"
    round: int | None = None  # with --against: which round (1, 2, ...)

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors + (1 if self.probe else 0)

    @property
    def scores_per_s(self) -> float | None:
        """Scores applied a second: the answered 2xx only (a shed batch applies nothing)."""
        if not self.items:
            return None
        answered = 1 - self.non_2xx / self.requests if self.requests else 1.0
        return self.rps * answered * self.items

    def summary(self) -> str:
        cores = ", ".join(f"{name} {value:.2f}" for name, value in self.cpu_cores.items())
        return (
            f"{self.label:<34} {self.rps:,.0f} req/s, p50 {self.p50_ms:.2f} ms, "
            f"p99 {self.p99_ms:.2f} ms, errors {self.errors}; cores: {cores}"
        )


@dataclass
class CostRun:
    """One Cost's runs, without the feature and with it, round by round."""

    key: str
    name: str
    most: float
    without: list[Measured] = field(default_factory=list)
    with_it: list[Measured] = field(default_factory=list)

    def ratios(self) -> list[float]:
        return [
            before.rps / after.rps
            for before, after in zip(self.without, self.with_it, strict=True)
            if after.rps
        ]

    def ratio(self) -> float | None:
        ratios = self.ratios()
        return statistics.median(ratios) if ratios else None

    def summary(self) -> str:
        ratio = self.ratio()
        rounds = ", ".join(f"{r:.3f}" for r in self.ratios())
        return f"{self.name}: {ratio:.3f} (rounds {rounds})" if ratio else f"{self.name}: -"


@dataclass
class EngineRun:
    engine: str
    size: int
    seed_s: float | None = None
    settle_s: float | None = None
    runs: list[Measured] = field(default_factory=list)
    costs: list[CostRun] = field(default_factory=list)
    verify_exit: int | None = None
    verify_s: float | None = None
    verify_output: str = ""
    log_problems: list[str] = field(default_factory=list)  # tracebacks in the backend's log
    profile: str = ""
    failed: str = ""

    def run(self, key: str) -> Measured | None:
        return next((run for run in self.runs if run.load == key), None)

    def all_runs(self) -> list[Measured]:
        return self.runs + [run for cost in self.costs for run in cost.without + cost.with_it]

    def cost(self, key: str) -> CostRun | None:
        return next((cost for cost in self.costs if cost.key == key), None)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.writes", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", type=int, help="Players to seed (default 1,000,000).")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument(
        "--ids", type=int, default=IDS_DEFAULT, help="Players each write run writes to (4,000)."
    )
    compare.arguments_add(parser, served="backend")
    args = parse_args(parser, argv, HELPS)
    args.size = args.size or (QUICK_SIZE if args.quick else FULL_SIZE)
    if args.ids < IDS_MIN:
        parser.error(f"--ids: at least {IDS_MIN:,}")
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    if args.against and args.profile:
        parser.error("--profile does not go with --against")
    return args


# --- One engine -----------------------------------------------------------------------------


def measure_engine(args, result: EngineRun, processes: Processes, here: Path) -> None:
    """Seed, serve, load, verify: everything for one database engine, in one go."""
    redis, env, database_pid = _seed_engine(args, result, processes, here)
    made = checked(
        manage("api_keys", "create", "bench-reader", "--scopes", "read", "--rate", READ_KEY_RATE,
               env=env),
        "manage.py api_keys create",
    )  # fmt: skip
    read_key = made.stdout.strip()

    backend = processes.add(GunicornSite("backend_site.wsgi", env, here / "backend.log"))
    backend.start()
    slices = [load.key for load in LOADS if load.items]
    slices += [FLOOR.key] if result.engine == "postgres" else []
    slices += [cost.without.key for cost in COSTS if cost.without.items]
    slices += ["profile"] if args.profile else []
    ids_files = _player_ids_files(args, backend, here, slices)
    watch = {"redis": redis.process.pid, "backend": backend.pid}
    for load in LOADS:
        url, script_args, body = _target(load, backend.url, ids_files.get(load.key))
        run = Measured(load=load.key, label=load.label, items=load.items)
        _measure(args, run, url, _wrk_options(args, load, script_args), body, watch, database_pid)
        result.runs.append(run)
        say(f"  {result.engine:<8} {run.summary()}")
    if result.engine == "postgres":
        processes.remove(backend)  # one server at a time on the machine
        result.log_problems += _log_problems(backend.logfile)
        floor_ids = ids_files[FLOOR.key]
        _floor_measure(args, result, processes, here, env, floor_ids, (redis, database_pid))
        backend = processes.add(GunicornSite("backend_site.wsgi", env, here / "backend-2.log"))
        backend.start()
        watch = {"redis": redis.process.pid, "backend": backend.pid}
    in_force = ""  # the setting the backend runs under now
    for cost in COSTS:
        found = CostRun(cost.key, f"{cost.name}", cost.most)
        for round_ in range(COST_ROUNDS):
            pair = [(cost.without, ""), (cost.with_it, cost.setting)]
            for load, setting in pair if round_ % 2 == 0 else reversed(pair):
                if setting != in_force:
                    if in_force:
                        SETTINGS[in_force](env, on=False)
                    if setting:
                        SETTINGS[setting](env, on=True)
                    in_force = setting
                ids_file = ids_files.get(cost.without.key)  # both write the same players
                url, script_args, body = _target(load, backend.url, ids_file)
                run = Measured(load=load.key, label=load.label, items=load.items)
                options = _wrk_options(args, load, script_args, read_key)
                _measure(args, run, url, options, body, watch, database_pid)
                (found.with_it if load is cost.with_it else found.without).append(run)
                say(f"  {result.engine:<8} {run.summary()}")
        result.costs.append(found)
        say(f"  {result.engine:<8} {found.summary()}")
    if in_force:
        SETTINGS[in_force](env, on=False)
    if args.profile:
        url, script_args, _ = _target(LOADS[1], backend.url, ids_files["profile"])
        result.profile = _profile(args, backend, url, _wrk_options(args, LOADS[1], script_args))
    processes.remove(backend)  # nothing writes while verify_rankings compares
    result.log_problems += _log_problems(backend.logfile)
    _verify(result, env)


def _floor_measure(args, result, processes, here, env, ids_file, servers) -> None:
    """Serve the write floor on the engine's database and Redis (``servers``: the Redis and
    the database's pid), and load it as a single submission is loaded."""
    redis, database_pid = servers
    floor_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.floor_settings", "BENCH_FLOOR": "backend"}
    floor = processes.add(GunicornSite("bench.floor", floor_env, here / "floor-write.log"))
    floor.start()
    try:
        body = json.dumps({"player_id": ids_file.read_text().split("\n", 1)[0], "score": 1})
        url = f"{floor.url}/floor-write/{FLOOR.board}"
        run = Measured(load=FLOOR.key, label=FLOOR.label, items=FLOOR.items)
        watch = {"redis": redis.process.pid, "backend": floor.pid}
        options = _wrk_options(args, FLOOR, [str(ids_file)])
        _measure(args, run, url, options, body.encode(), watch, database_pid)
        result.runs.append(run)
        say(f"  {result.engine:<8} {run.summary()}")
    finally:
        processes.remove(floor)
    result.log_problems += _log_problems(floor.logfile)


def compare_engine(
    args, result: EngineRun, sides: dict[str, compare.Side], processes: Processes, here: Path
) -> None:
    """--against: seed once, then LOADS on each side's backend in turn, round after round,
    each write run to players of its own; then verify_rankings (this checkout's)."""
    redis, env, database_pid = _seed_engine(args, result, processes, here)
    facts = processes.add(GunicornSite("backend_site.wsgi", env, here / "backend-facts.log"))
    facts.start()
    rounds = range(1, args.rounds + 1)
    slices = [
        f"{load.key}-{name}-{round_}"
        for round_ in rounds
        for name in compare.SIDES
        for load in LOADS
        if load.items
    ]
    ids_files = _player_ids_files(args, facts, here, slices)
    processes.remove(facts)
    for round_ in rounds:
        for name in compare.order(round_):
            side = sides[name]
            say(f"{result.engine}, round {round_}/{args.rounds}: {side.label}")
            log = here / f"backend-{name}-{round_}.log"
            backend = GunicornSite("backend_site.wsgi", env, log, root=side.root, conf=side.conf)
            processes.add(backend).start()
            try:
                served = compare.check_served(backend, side, "backend_site")
                say(f"  {side.label}: backend_site from {served}")
                watch = {"redis": redis.process.pid, "backend": backend.pid}
                for load in LOADS:
                    ids_file = ids_files.get(f"{load.key}-{name}-{round_}")
                    url, script_args, body = _target(load, backend.url, ids_file)
                    run = Measured(
                        load=load.key, label=load.label, items=load.items, side=name, round=round_
                    )
                    options = _wrk_options(args, load, script_args)
                    _measure(args, run, url, options, body, watch, database_pid)
                    result.runs.append(run)
                    say(f"  {result.engine:<8} {name:<4} {run.summary()}")
            finally:
                processes.remove(backend)
            result.log_problems += _log_problems(backend.logfile)
    _verify(result, env)


def _seed_engine(
    args, result: EngineRun, processes: Processes, here: Path
) -> tuple[RedisServer, dict[str, str], int | None]:
    """A private Redis and database for the engine, migrated, seeded and settled: the Redis,
    the backend's environment and the database server's pid (if it has one)."""
    redis = processes.add(RedisServer(here / "redis"))
    redis.start()
    database_url, database_pid = _database(result.engine, here, processes)
    env = backend_env(redis.url, database_url)
    checked(manage("migrate", "--no-input", env=env), "manage.py migrate")
    say(f"{result.engine}: seeding {args.size:,} players")
    started = time.perf_counter()
    seed_args = ("--players", str(args.size), "--board", BOARD, "--random-seed", "1")
    checked(manage("seed", *seed_args, env=env), f"manage.py seed --players {args.size}")
    result.seed_s = time.perf_counter() - started
    # The same players and scores on a board that feeds none (not timed with the seed).
    checked(manage("shell", "-c", SOLO_CREATE, env=env), f"creating board {SOLO}")
    seed_args = ("--players", str(args.size), "--board", SOLO, "--random-seed", "1")
    checked(manage("seed", *seed_args, env=env), f"manage.py seed --board {SOLO}")
    started = time.perf_counter()
    _settle(database_url)
    result.settle_s = time.perf_counter() - started
    say(f"{result.engine}: seeded in {result.seed_s:.1f} s, settled in {result.settle_s:.1f} s")
    return redis, env, database_pid


def _verify(result: EngineRun, env: dict[str, str]) -> None:
    """`manage.py verify_rankings` once nothing writes: Redis and the database must agree."""
    say(f"{result.engine}: manage.py verify_rankings")
    started = time.perf_counter()
    done = manage("verify_rankings", "--verbosity", "0", env=env, timeout=3600)
    result.verify_s = time.perf_counter() - started
    result.verify_exit = done.returncode
    result.verify_output = (done.stdout + done.stderr).strip()[-2000:]
    say(f"  exit {done.returncode} in {result.verify_s:.1f} s: {result.verify_output}")


def _database(engine: str, here: Path, processes: Processes) -> tuple[str, int | None]:
    """The engine's DATABASE_URL, and the database server's pid (if it has one)."""
    if engine == "sqlite":
        return f"sqlite:///{here / 'backend.sqlite3'}", None
    from common.local_servers import PostgresServer

    server = processes.add(PostgresServer(here / "postgres", durable=True))
    server.start()
    return server.create_database("leaderboard"), server.postmaster_pid()


def _settle(database_url: str) -> None:
    """Let the seed's writes land before anything is measured, as on a board that has been
    up a while: else PostgreSQL's checkpoint of the seed, its autovacuum of a million new
    rows and the kernel's writeback of the files all fall into the first runs."""
    if database_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE)")
            connection.execute("CHECKPOINT")
    os.sync()


def _tree_seconds(parent: int) -> float:
    """CPU seconds of a process and its live children. PostgreSQL puts each backend in a
    session of its own, so cpu.session_seconds cannot follow it."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        # fields[0] is field 3 of proc(5): ppid is field 4, utime and stime 14 and 15.
        if int(entry.name) == parent or int(fields[1]) == parent:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _player_ids_files(
    args, backend: GunicornSite, here: Path, slices: list[str]
) -> dict[str, Path]:
    """A file of player ids for each write run, spread evenly over the board (p0000001…, as
    seeding names them) and interleaved with the other runs'. Scores only ever go up on the
    board, so a run writing to players an earlier run had raised would mostly send no-ops."""
    entries = f"{backend.url}/api/v1/leaderboards/{BOARD}/entries"
    total = get_json(f"{entries}?limit=1")["total"]
    if total != args.size:
        raise RuntimeError(f"the board has {total:,} players, not the {args.size:,} seeded")
    count = min(args.ids, total // len(slices)) * len(slices)
    width = max(7, len(str(total)))
    ids = [f"p{1 + k * total // count:0{width}d}" for k in range(count)]
    for player_id in (ids[0], ids[-1]):
        problem = probe(
            f"{backend.url}/api/v1/leaderboards/{BOARD}/players/{player_id}", token=True
        )
        if problem:
            raise RuntimeError(f"seeded player {player_id} is not on the board: {problem}")
    files = {}
    for index, name in enumerate(slices):
        files[name] = here / f"player_ids-{name}.txt"
        files[name].write_text("\n".join(ids[index :: len(slices)]) + "\n")
    return files


def _target(load: Load, base: str, ids_file: Path | None) -> tuple[str, list[str], bytes | None]:
    """URL, wrk script arguments and the probe's body of one load."""
    if ids_file is None:
        return f"{base}/api/v1/leaderboards/{load.board}/entries?limit=10", [], None
    first = ids_file.read_text().split("\n", 1)[0]
    if load.key == "batch":
        item = {"leaderboard": BOARD, "player_id": first, "score": 1}
        body = json.dumps({"scores": [item]}).encode()
        return f"{base}/api/v1/scores/batch", [str(ids_file), str(BATCH_ITEMS), BOARD], body
    body = json.dumps({"player_id": first, "score": 1}).encode()
    script_args = [str(ids_file)] + (["idempotent"] if load.key == "idempotent" else [])
    return f"{base}/api/v1/leaderboards/{load.board}/scores", script_args, body


def _wrk_options(args, load: Load, script_args: list[str], read_key: str = "") -> dict:
    return {
        "connections": load.connections or args.connections,
        "threads": args.threads,
        "headers": {"Authorization": f"Bearer {read_key if load.rated_key else TOKEN}"},
        "script": load.script,
        "script_args": script_args,
    }


def _measure(args, run: Measured, url, options, body, watch, database_pid) -> None:
    """Probe once, warm up, then measure with wrk; `watch` names the server sessions."""
    run.probe = probe(url, data=body, token=True)
    if run.probe:
        say(f"  {run.label}: probe failed ({run.probe}); measuring anyway")
    if args.warmup:
        wrk.run(url, duration=args.warmup, **options)
    before = cpu.snapshot(watch), _tree_seconds(database_pid) if database_pid else 0.0
    result, text = wrk.run(url, duration=args.duration, **options)
    after = cpu.snapshot(watch), _tree_seconds(database_pid) if database_pid else 0.0
    run.cpu_cores = cpu.cores_used(before[0], after[0])
    if database_pid:
        database = round((after[1] - before[1]) / (after[0].at - before[0].at), 2)
        run.cpu_cores["postgres"] = database
        run.cpu_cores["other"] = max(0.0, round(run.cpu_cores["other"] - database, 2))
    run.rps, run.p50_ms, run.p99_ms = result.rps, result.p50_ms, result.p99_ms
    run.requests, run.non_2xx = result.requests, result.non_2xx
    run.socket_errors = result.socket_errors
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", text)
    run.timeouts = int(timeouts.group(1)) if timeouts else 0


def _profile(args, backend: GunicornSite, url: str, options: dict) -> str:
    from bench import profile

    raw = backend.logfile.with_name("profile-single.raw")
    summary = profile.record_during(
        backend.pid,
        lambda: wrk.run(url, duration=args.duration, **options),
        seconds=args.duration,
        raw_output=raw,
    )
    say(f"  py-spy profile of single submissions (raw stacks: {raw}):\n{summary}")
    return summary


def _log_problems(logfile: Path, keep: int = 3) -> list[str]:
    """The first few tracebacks and ERROR lines in a gunicorn log, as written."""
    if not logfile.exists():
        return []
    text = logfile.read_text(errors="replace")
    found = [m.group(0).strip() for m in re.finditer(r"^.*\bERROR\b.*$", text, re.M)]
    found += [
        "Traceback" + block.split("\n\n", 1)[0].rstrip()[:3000]
        for block in text.split("Traceback")[1:]
    ]
    if found:
        say(f"  {len(found)} errors/tracebacks in {logfile}; first:\n{found[0]}")
    return found[:keep]


# --- Targets and report ---------------------------------------------------------------------


def _check(name, goal, value, ok, shown, *, graded=True, detail="") -> Target:
    """A target from one measured value (None when not measured); `ok` grades it."""
    if value is None or math.isnan(value):
        return Target(name, "-", goal, "SKIP", "not measured")
    status = ("PASS" if ok(value) else "MISS") if graded else "INFO"
    return Target(name, shown.format(value), goal, status, detail)


def _engine_targets(result: EngineRun) -> list[Target]:
    """PostgreSQL is held to every target; SQLite to its p99 (the rest is information)."""
    name = {"postgres": "PostgreSQL", "sqlite": "SQLite"}[result.engine]
    graded = result.engine == "postgres"
    read, single, batch = (result.run(key) for key in ("read", "single", "batch"))
    ratio = single.rps / read.rps if single and read and read.rps else None
    limit = PG_SINGLE_P99_MAX_MS if graded else SQLITE_SINGLE_P99_MAX_MS
    found = [
        _check(
            f"{name} single submissions / top-10 reads",
            f">= {SINGLE_VS_READ_MIN}",
            ratio,
            lambda v: v >= SINGLE_VS_READ_MIN,
            "{:.2f}",
            graded=graded,
            detail=f"{single.rps:,.0f} / {read.rps:,.0f} req/s" if ratio else "",
        ),
        _check(
            f"{name} single submission p99",
            f"<= {limit:.0f} ms",
            single.p99_ms if single else None,
            lambda v: v <= limit,
            "{:.1f} ms",
        ),
        _check(
            f"{name} batches of {BATCH_ITEMS}: scores/s",
            f">= {PG_BATCH_SCORES_MIN:,.0f}",
            batch.scores_per_s if batch else None,
            lambda v: v >= PG_BATCH_SCORES_MIN,
            "{:,.0f}",
            graded=graded,
            detail=f"{batch.rps:,.1f} req/s" if batch else "",
        ),
    ]
    floor, solo = result.run(FLOOR.key), result.run("single_solo")
    if graded:
        found.append(
            _check(
                f"{name} single submissions (feeding none) / write floor",
                f">= {SINGLE_VS_FLOOR_MIN}",
                solo.rps / floor.rps if solo and floor and floor.rps else None,
                lambda v: v >= SINGLE_VS_FLOOR_MIN,
                "{:.2f}",
                detail=(
                    f"{solo.rps:,.0f} / {floor.rps:,.0f} req/s; p99 {solo.p99_ms:.1f} / "
                    f"{floor.p99_ms:.1f} ms; serving CPU {_serving_us(solo) or 0:,.0f} / "
                    f"{_serving_us(floor) or 0:,.0f} µs per request"
                )
                if solo and floor
                else "",
            )
        )
    found.append(_fed_cost(name, result.run("single"), result.run("single_solo")))
    found += [_cost(name, result.cost(cost.key), cost) for cost in COSTS]
    verified = Target(f"{name}: verify_rankings after the writes", "-", "no drift", "SKIP")
    if result.verify_exit is not None:
        verified.value = "no drift" if result.verify_exit == 0 else f"exit {result.verify_exit}"
        verified.status = "PASS" if result.verify_exit == 0 else "MISS"
        verified.detail = f"{result.verify_s:.1f} s at {result.size:,} players"
    return [*found, verified]


def _fed_cost(name: str, fed: Measured | None, solo: Measured | None) -> Target:
    """What a submission feeding 3 boards (all-time, weekly, daily) costs over one feeding
    only its own, as the ratio of their rates under the same load (graded on both engines)."""
    ratio = solo.rps / fed.rps if fed and solo and fed.rps else None
    detail = ""
    if ratio is not None:
        detail = (
            f"{solo.rps:,.0f} / {fed.rps:,.0f} req/s; p50 {fed.p50_ms:.1f} / {solo.p50_ms:.1f} ms"
        )
        fed_us, solo_us = _serving_us(fed), _serving_us(solo)
        if fed_us and solo_us:
            detail += f"; serving CPU {fed_us:,.0f} / {solo_us:,.0f} µs per request"
    return _check(
        f"{name} submission feeding 3 boards / feeding 1",
        f"<= {FED_COST_MAX}",
        ratio,
        lambda v: v <= FED_COST_MAX,
        "{:.2f}",
        detail=detail,
    )


def _cost(name: str, found: CostRun | None, cost: Cost) -> Target:
    """A feature's cost: the median round's rate without it over the rate with it."""
    ratio = found.ratio() if found else None
    detail = ""
    if ratio is not None:
        rates = ", ".join(
            f"{before.rps:,.0f}/{after.rps:,.0f}"
            for before, after in zip(found.without, found.with_it, strict=True)
        )
        detail = f"rounds {', '.join(f'{r:.3f}' for r in found.ratios())}; req/s {rates}"
        serving = [
            (_serving_us(before), _serving_us(after))
            for before, after in zip(found.without, found.with_it, strict=True)
        ]
        if all(b and a for b, a in serving):
            before_us = statistics.median(b for b, _ in serving)
            after_us = statistics.median(a for _, a in serving)
            detail += f"; serving CPU {before_us:,.0f} / {after_us:,.0f} µs per request"
    return _check(
        f"{name} {cost.name}",
        f"<= {cost.most:.2f}",
        ratio,
        lambda v: v <= cost.most,
        "{:.3f}",
        detail=detail,
    )


def _limit_solo(env: dict[str, str], *, on: bool) -> None:
    """Give SOLO its per-player limit (or take it away) and wait until every worker sees it."""
    checked(manage("shell", "-c", SOLO_LIMIT if on else SOLO_UNLIMIT, env=env), f"limit {SOLO}")
    time.sleep(BOARD_CACHE_SECONDS + 1)


def _sanction_some(env: dict[str, str], *, on: bool) -> None:
    """Hide SANCTIONED_PLAYERS of BOARD until tomorrow (or lift every sanction), and wait
    until every worker knows when the next one ends."""
    code = SANCTIONS_HIDE if on else SANCTIONS_LIFT
    checked(manage("shell", "-c", code, env=env), "hiding players" if on else "lifting")
    time.sleep(SANCTION_CHECK_SECONDS + 1)


SETTINGS = {"limited": _limit_solo, "sanctioned": _sanction_some}


def _serving_us(run: Measured) -> float | None:
    """CPU time the backend, Redis and PostgreSQL spent per request, in µs."""
    cores = sum(run.cpu_cores.get(key, 0.0) for key in ("backend", "redis", "postgres"))
    return cores / run.rps * 1e6 if cores and run.rps else None


def targets(engines: list[EngineRun]) -> list[Target]:
    found = [target for result in engines for target in _engine_targets(result)]
    runs = [(result.engine, run) for result in engines for run in result.all_runs()]
    failing = [f"{engine} {run.load}: {run.errors}" for engine, run in runs if run.errors]
    total = sum(run.errors for _, run in runs)
    found.append(
        Target(
            "errors (non-2xx + socket) in every run",
            str(total),
            "0",
            ("MISS" if failing else "PASS") if runs else "SKIP",
            "; ".join(failing),
        )
    )
    return found


def table(engines: list[EngineRun]) -> str:
    header = (
        f"{'engine':<9}{'run':<34} {'req/s':>9} {'scores/s':>9} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    lines = [header, "-" * len(header)]
    for result in engines:
        for run in result.all_runs():
            scores = "-" if run.scores_per_s is None else f"{run.scores_per_s:,.0f}"
            kinds = [
                f"{n} {kind}"
                for n, kind in ((run.non_2xx, "non-2xx"), (run.timeouts, "timeouts"))
                if n
            ]
            errors = str(run.errors) + (f" ({', '.join(kinds)})" if kinds else "")
            lines.append(
                f"{result.engine:<9}{run.label:<34} {run.rps:>9,.1f} {scores:>9} "
                f"{run.p50_ms:>8.2f} {run.p99_ms:>8.2f} {errors:>7}"
            )
        if result.failed:
            lines.append(f"{result.engine:<9}failed: {result.failed[:200]}")
        if result.settle_s is not None:
            lines.append(
                f"{result.engine:<9}(seeded {result.size:,} players in {result.seed_s:.1f} s, "
                f"settled in {result.settle_s:.1f} s)"
            )
    return "\n".join(lines)


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _clean(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def write(engines, found, config, machine_facts, notes, *, started_at: datetime) -> Path:
    """Write bench/results/writes-<timestamp>.json; return its path."""
    return results_write(
        "writes",
        started_at=started_at,
        config=config,
        machine=machine_facts,
        engines=[
            {
                **asdict(result),
                "runs": [
                    {**asdict(run), "errors": run.errors, "scores_per_s": run.scores_per_s}
                    for run in result.runs
                ],
                "costs": [
                    {**asdict(cost), "ratios": cost.ratios(), "ratio": cost.ratio()}
                    for cost in result.costs
                ],
            }
            for result in engines
        ],
        targets=found,
        notes=notes,
        clean=_clean,
    )


# --- Main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    commit = ""
    if args.against:
        commit = compare.commit_named(args.against)
        if commit is None:
            return 2
    session = Session("leaderboard-writes-", keep=args.keep)
    session.workdir.chmod(0o711)  # PostgreSQL runs as the postgres user, who must reach its folder
    config = {
        "size": args.size,
        "engines": args.engines,
        **load_config(args),
        "player_ids": args.ids,
        "batch_items": BATCH_ITEMS,
    }
    machine_facts = machine()
    what = f"{args.size:,} players, engines {args.engines}"
    if commit:
        config.update(
            against=args.against,
            base_commit=commit,
            rounds=args.rounds,
            tolerance=compare.TOLERANCE,
        )
        labels = compare.labels(args.against, commit, machine_facts)
        what += f", {args.rounds} rounds of {labels[0]} and {labels[1]}"
    session.announce(what, args, machine_facts)
    engines: list[EngineRun] = []
    notes = session.notes
    both = compare.sides(commit, session.workdir) if commit else contextlib.nullcontext({})
    with both as sides, session:
        wrk.ensure_wrk()
        if args.profile:
            from bench import profile

            if not profile.py_spy():
                notes.append("--profile: py-spy is not installed (.venv/bin/pip install py-spy)")
                args.profile = False
        for engine in args.engines:
            result = EngineRun(engine=engine, size=args.size)
            engines.append(result)
            here = session.workdir / engine
            here.mkdir()
            try:
                if sides:
                    compare_engine(args, result, sides, session.processes, here)
                else:
                    measure_engine(args, result, session.processes, here)
            except Exception as exc:
                traceback.print_exc()
                result.failed = f"{type(exc).__name__}: {str(exc)[:1000]}"
            finally:
                session.processes.stop_all()
            if not (args.keep or result.failed):
                shutil.rmtree(here, ignore_errors=True)
        session.ok = not any(result.failed for result in engines)

    if commit:
        path = _report_comparison(engines, config, machine_facts, notes, sides, labels, session)
    else:
        found = targets(engines)
        path = write(engines, found, config, machine_facts, notes, started_at=session.started)
        print()
        print(table(engines))
        print()
        print(targets_table(found))
    for result in engines:
        if result.verify_output:
            print(f"verify_rankings ({result.engine}): {result.verify_output}")
        for problem in result.log_problems[:1]:
            print(f"backend log ({result.engine}):\n{problem}")
    for note in notes:
        print(f"note: {note}")
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0 if session.ok else 1


def _report_comparison(engines, config, machine_facts, notes, sides, labels, session) -> Path:
    """--against: print the comparison of both sides and write writes-compare-<time>.json."""
    samples = [
        compare.Sample(run.load, run.label, result.engine, run.side, run.rps, run.errors)
        for result in engines
        for run in result.runs
        if run.side
    ]
    found = compare.rows(samples)
    data = {
        "started_at": session.started.isoformat(timespec="seconds"),
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "config": config,
        "machine": machine_facts,
        "sides": {name: {"commit": s.commit, "served": s.served} for name, s in sides.items()},
        "engines": [
            {
                **asdict(result),
                "runs": [
                    {**asdict(run), "errors": run.errors, "scores_per_s": run.scores_per_s}
                    for run in result.runs
                ],
            }
            for result in engines
        ],
        "notes": notes,
    }
    path = compare.write(data, found, started_at=session.started, prefix="writes-")
    print()
    print(compare.table(found, *labels, titles=("run", "engine")))
    print()
    print(compare.summary(found))
    print(f"(median of {config['rounds']} round(s) per side, alternating which side went first)")
    verified = [f"{r.engine} exit {r.verify_exit}" for r in engines if r.verify_exit is not None]
    print(f"verify_rankings after both sides wrote: {', '.join(verified) or 'not run'}")
    for result in engines:
        if result.failed:
            print(f"{result.engine} failed: {result.failed[:300]}")
    return path


if __name__ == "__main__":
    sys.exit(main())
