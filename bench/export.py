"""`make bench-export`: a board's standings exported as CSV, by the command and by the served
endpoint, on PostgreSQL and on SQLite, with each one's peak memory.

    python -m bench.export [--quick] [--size 1000000] [--small 100000]
                           [--engines postgres sqlite] [--keep]

For each engine it makes a private database (a durable PostgreSQL cluster, or a SQLite file)
and a private redis-server, seeds `--size` players onto `global` with `manage.py seed` (desc,
scores drawn from 0 to 1,000,000), and copies rows of it to two more boards: `export-small`,
its first `--small` players, and `export-ties`, every player on an asc board with only 100
distinct scores (runs of 10,000 equal scores: what the score index must serve). Once the
database has settled (bench.writes' step), each board is exported:

- by `manage.py export_board SLUG --output FILE`, timed from start to exit, its peak RSS the
  process's own (``os.wait4``'s ``ru_maxrss``);
- by `GET /api/v1/leaderboards/SLUG/export.csv` from the backend under gunicorn (one worker,
  as gunicorn.conf.py runs it), streamed by curl into a pipe whose lines are counted and
  dropped; the worker's peak RSS is its VmHWM, reset (``/proc/<pid>/clear_refs``) before
  each export.

Memory is flat when the peak at `--size` rows is no more than RSS_GROWTH_MAX_MB above the
peak at `--small`. Everything it starts it stops again; the results go to
bench/results/export-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from bench.measure import TOKEN, say
from bench.report import Target, results_write, targets_table
from bench.run import machine
from bench.session import Processes, Session, backend_env, checked

# The same private databases, and the same settling after the seed, as bench.writes.
from bench.writes import _database, _settle
from common.local_servers import PYTHON, ROOT, GunicornSite, RedisServer, manage

BOARD = "global"
SMALL = "export-small"
TIES = "export-ties"
TIED_SCORES = 100
FULL_SIZE = 1_000_000
SMALL_SIZE = 100_000
QUICK_SIZE, QUICK_SMALL = 20_000, 2_000
ENGINES = ("postgres", "sqlite")
EXPORT_SECONDS_MAX = 60.0
RSS_GROWTH_MAX_MB = 8.0
# Run in `manage.py shell`: the two other boards, copied from BOARD's rows (the export reads
# the database only; these boards are never loaded into Redis).
BOARDS_COPY = """
from django.db import connection
from backend_site.rankings.models import Leaderboard, Score

source = Leaderboard.objects.get(slug={board!r})
small = Leaderboard.objects.create(slug={small!r}, title="Bench: the first players", order="desc")
ties = Leaderboard.objects.create(slug={ties!r}, title="Bench: few scores", order="asc")
table = Score._meta.db_table
columns = "board_id, period, player_id, value, achieved_at, version"
with connection.cursor() as cursor:
    cursor.execute(
        f"INSERT INTO {{table}} ({{columns}}) SELECT %s, period, player_id, value, achieved_at, "
        f"version FROM {{table}} WHERE board_id = %s ORDER BY player_id LIMIT %s",
        [small.pk, source.pk, {small_size}],
    )
    cursor.execute(
        f"INSERT INTO {{table}} ({{columns}}) SELECT %s, period, player_id, value %% {tied}, "
        f"achieved_at, version FROM {{table}} WHERE board_id = %s",
        [ties.pk, source.pk],
    )
"""


@dataclass
class Export:
    way: str  # "command" or "served"
    board: str
    rows: int | None = None
    seconds: float | None = None
    bytes: int | None = None
    peak_rss_mb: float | None = None
    failed: str = ""

    def summary(self) -> str:
        if self.failed:
            return f"{self.way:<8}{self.board:<14} failed: {self.failed[:200]}"
        rate = self.rows / self.seconds if self.rows and self.seconds else 0
        return (
            f"{self.way:<8}{self.board:<14}{self.rows or 0:>10,} rows {self.seconds:>7.1f} s "
            f"{rate:>10,.0f} rows/s {self.bytes / 1e6:>7.1f} MB  peak RSS "
            f"{self.peak_rss_mb:>6.1f} MB"
        )


@dataclass
class EngineRun:
    engine: str
    size: int
    small: int
    seed_s: float | None = None
    exports: list[Export] = field(default_factory=list)
    failed: str = ""

    def find(self, way: str, board: str) -> Export | None:
        return next((e for e in self.exports if (e.way, e.board) == (way, board)), None)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 and 2,000 players.")
    parser.add_argument("--size", type=int, help="Players to seed (default 1,000,000).")
    parser.add_argument("--small", type=int, help="Players on the small board (100,000).")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--keep", action="store_true", help="Keep the work directory.")
    args = parser.parse_args(argv)
    args.size = args.size or (QUICK_SIZE if args.quick else FULL_SIZE)
    args.small = args.small or (QUICK_SMALL if args.quick else SMALL_SIZE)
    if not 0 < args.small < args.size:
        parser.error("--small must be between 1 and --size")
    return args


def measure_engine(args, result: EngineRun, processes: Processes, here: Path) -> None:
    """Seed, copy, settle; export each board by the command, then through gunicorn."""
    redis = processes.add(RedisServer(here / "redis"))
    redis.start()
    database_url, _ = _database(result.engine, here, processes)
    env = backend_env(redis.url, database_url)
    checked(manage("migrate", "--no-input", env=env), "manage.py migrate")
    say(f"{result.engine}: seeding {args.size:,} players")
    started = time.perf_counter()
    seed = ("--players", str(args.size), "--board", BOARD, "--random-seed", "1")
    checked(manage("seed", *seed, env=env), "manage.py seed")
    result.seed_s = time.perf_counter() - started
    copy = BOARDS_COPY.format(
        board=BOARD, small=SMALL, ties=TIES, small_size=args.small, tied=TIED_SCORES
    )
    checked(manage("shell", "-c", copy, env=env), "copying the boards")
    _settle(database_url)
    say(f"{result.engine}: seeded in {result.seed_s:.1f} s")
    boards = [SMALL, BOARD, TIES]
    for board in boards:
        found = _command_export(board, env, here)
        result.exports.append(found)
        say(f"  {result.engine:<8} {found.summary()}")

    backend = processes.add(
        GunicornSite("backend_site.wsgi", {**env, "WEB_CONCURRENCY": "1"}, here / "backend.log")
    )
    backend.start()
    (worker,) = backend.worker_pids()
    for board in boards:
        found = _served_export(board, backend, worker)
        result.exports.append(found)
        say(f"  {result.engine:<8} {found.summary()}")
    processes.remove(backend)
    if "Traceback" in backend.log():
        result.failed = "the backend logged a traceback (see backend.log; --keep keeps it)"


def _command_export(board: str, env: dict[str, str], here: Path) -> Export:
    """manage.py export_board to a file: wall time to exit, and the process's peak RSS."""
    found = Export("command", board)
    target = here / f"{board}.csv"
    command = [PYTHON, "manage.py", "export_board", board, "--output", str(target)]
    with (here / f"export-{board}.log").open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        found.seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        found.failed = (here / f"export-{board}.log").read_text()[-1000:]
        return found
    found.peak_rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    found.bytes = target.stat().st_size
    with target.open("rb") as written:  # LF, not CRLF: a block may end between the two
        lines = sum(block.count(b"\n") for block in iter(lambda: written.read(1 << 20), b""))
    found.rows = lines - 1  # the header
    target.unlink()
    return found


def _served_export(board: str, backend: GunicornSite, worker: int) -> Export:
    """GET export.csv streamed by curl, its rows counted and dropped as they come: its time,
    and the worker's peak RSS."""
    found = Export("served", board)
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # the peak starts again from now
    url = f"{backend.url}/api/v1/leaderboards/{board}/export.csv"
    curl = [
        "curl", "--silent", "--show-error", "--fail", "--max-time", "600",
        "--header", f"Authorization: Bearer {TOKEN}", url,
    ]  # fmt: skip
    lines = size = 0
    started = time.perf_counter()
    with subprocess.Popen(curl, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        while block := process.stdout.read(1 << 20):
            size += len(block)
            lines += block.count(b"\n")  # every line ends with CRLF; seeded names have none
        problem = process.stderr.read().decode(errors="replace").strip()
    found.seconds = time.perf_counter() - started
    if process.returncode != 0:
        found.failed = f"curl exit {process.returncode}: {problem}"
        return found
    found.rows, found.bytes = lines - 1, size  # less the header
    found.peak_rss_mb = _status_kb(worker, "VmHWM") / 1024
    return found


def _status_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field_name} in /proc/{pid}/status")


def targets(engines: list[EngineRun]) -> list[Target]:
    found = []
    for result in engines:
        for way in ("command", "served"):
            name = f"{result.engine} {way}"
            small, full = result.find(way, SMALL), result.find(way, BOARD)
            for board, run in ((BOARD, full), (TIES, result.find(way, TIES))):
                ok = run is not None and not run.failed and run.seconds <= EXPORT_SECONDS_MAX
                value = f"{run.seconds:.1f} s" if run and run.seconds and not run.failed else "-"
                found.append(
                    Target(
                        f"{name}: {result.size:,} rows of {board}",
                        value,
                        f"≤ {EXPORT_SECONDS_MAX:.0f} s",
                        "PASS" if ok else "MISS",
                    )
                )
            measured = all(r is not None and not r.failed for r in (small, full))
            growth = full.peak_rss_mb - small.peak_rss_mb if measured else None
            found.append(
                Target(
                    f"{name}: peak RSS at {result.size:,} − at {result.small:,}",
                    "-" if growth is None else f"{growth:+.1f} MB",
                    f"≤ {RSS_GROWTH_MAX_MB:.0f} MB",
                    "PASS" if growth is not None and growth <= RSS_GROWTH_MAX_MB else "MISS",
                    ""
                    if growth is None
                    else f"{small.peak_rss_mb:.1f} → {full.peak_rss_mb:.1f} MB",
                )
            )
        command, served = result.find("command", BOARD), result.find("served", BOARD)
        same = command and served and command.bytes and command.bytes == served.bytes
        found.append(
            Target(
                f"{result.engine}: the endpoint and the command give the same bytes",
                "yes" if same else "no",
                "yes",
                "PASS" if same else "MISS",
                "" if same else f"{command and command.bytes} vs {served and served.bytes}",
            )
        )
        if result.failed:
            found.append(Target(f"{result.engine}: run", "failed", "ok", "MISS", result.failed))
    return found


def write(engines, found, config, machine_facts, notes, *, started_at: datetime) -> Path:
    """Write bench/results/export-<timestamp>.json; return its path."""
    return results_write(
        "export",
        started_at=started_at,
        config=config,
        machine=machine_facts,
        engines=[asdict(result) for result in engines],
        targets=found,
        notes=notes,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if shutil.which("curl") is None:
        print("bench.export needs curl (apt-get install curl)", file=sys.stderr)
        return 1
    session = Session("leaderboard-export-", keep=args.keep)
    session.workdir.chmod(0o711)  # PostgreSQL runs as the postgres user, who must reach it
    config = {"size": args.size, "small": args.small, "engines": args.engines}
    machine_facts = machine()
    say(f"export of {args.size:,} and {args.small:,} rows, engines {args.engines}; "
        f"work dir {session.workdir}")  # fmt: skip
    engines: list[EngineRun] = []
    with session:
        for engine in args.engines:
            result = EngineRun(engine=engine, size=args.size, small=args.small)
            engines.append(result)
            here = session.workdir / engine
            here.mkdir()
            try:
                measure_engine(args, result, session.processes, here)
            except Exception as exc:
                traceback.print_exc()
                result.failed = f"{type(exc).__name__}: {str(exc)[:1000]}"
            finally:
                session.processes.stop_all()
            if not (args.keep or result.failed):
                shutil.rmtree(here, ignore_errors=True)
        session.ok = not any(result.failed for result in engines)

    found = targets(engines)
    path = write(engines, found, config, machine_facts, session.notes, started_at=session.started)
    print()
    for result in engines:
        print(f"{result.engine} (seeded {result.size:,} players in {result.seed_s or 0:.1f} s)")
        for run in result.exports:
            print(f"  {run.summary()}")
    print()
    print(targets_table(found))
    for note in session.notes:
        print(f"note: {note}")
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0 if session.ok and all(t.status == "PASS" for t in found) else 1


if __name__ == "__main__":
    sys.exit(main())
