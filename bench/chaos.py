"""`make chaos`: fault drills under load, and what each one costs the people using the site.

    python -m bench.chaos [--players 1000] [--gap 15] [--keep]

It starts PostgreSQL, redis-server, the backend and the frontend (through a delaying proxy,
bench.delay_proxy) on loopback as bench.run does, seeds a board, and keeps steady traffic
going: reads on both sites and two game servers (bench.ledger) that submit best scores and
increments with an Idempotency-Key and retry them. Then it injects each fault in turn, with
a recovery gap after each, and checks that every acknowledged write is in the database and
in Redis with the game server's value and that verify_rankings finds no drift. It prints a
table, marks each figure met or missed, and writes bench/results/chaos-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

import requests

from bench.delay_proxy import DelayProxy
from bench.ledger import (
    Attempt,
    GameServer,
    expected_scores,
    lost_writes,
    ranked_scores,
    stored_scores,
    timed_request,
)
from bench.measure import TOKEN, say
from bench.report import RESULTS_DIR
from bench.run import machine
from bench.session import Session, backend_env, checked, frontend_env
from common.local_servers import ROOT, GunicornSite, PostgresServer, RedisServer, manage

BOARDS = {"global": "best", "coins": "increment"}
SLOW_SECONDS = 2.0
# Targets (issue "Stays up and loses nothing").
LOST_MAX = 0
FRONTEND_ERRORS_MAX = 0
FAIL_FAST_MAX_S = 1.0
RECOVER_MAX_S = 5.0
# A single blow (a worker killed) or a short restart is measured over this much time at least.
WINDOW_MIN_S = 5.0


@dataclass
class Fault:
    key: str
    label: str
    seconds: float  # how long it lasts (0: a single blow)


FAULTS = [
    Fault("redis_restart_empty", "Redis stopped, restarted empty", 10),
    Fault("redis_freeze", "Redis frozen (SIGSTOP)", 5),
    Fault("database_stop", "PostgreSQL stopped (fast)", 5),
    Fault("worker_kill", "a backend worker kill -9", 0),
    Fault("backend_restart", "backend restarted (SIGTERM)", 0),
    Fault("backend_slow", f"backend slow ({SLOW_SECONDS:.0f} s/answer)", 10),
]


@dataclass
class Drill:
    """What one fault (or the baseline) did, measured from the traffic's attempts."""

    key: str
    label: str
    fault_s: float = 0.0  # from the blow to the end of the fault (a restart: until it is up)
    requests: int = 0
    failed: int = 0  # non-2xx, no answer, or a stale frontend copy, fault and recovery
    frontend_errors_with_copy: int = 0
    backend_fail_max_s: float | None = None  # slowest failed backend answer during the fault
    backend_no_answer: int = 0  # of those, refused, reset or timed out
    recover_s: float | None = None
    p99_backend_ms: float | None = None
    p99_frontend_ms: float | None = None
    lost: list[str] = field(default_factory=list)
    verify: str = ""
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def unexpected(self) -> int:
        """Answers that are a bug whatever the fault: a 5xx other than 503 (a 500 is a crash)."""
        return sum(
            count
            for status, count in self.statuses.items()
            if status.split()[-1].isdigit()
            and status.split()[-1].startswith("5")
            and status.split()[-1] != "503"
        )

    def met(self) -> dict[str, bool | None]:
        fail_fast = self.backend_fail_max_s
        return {
            "unexpected": self.unexpected == 0,
            "lost": len(self.lost) <= LOST_MAX and self.verify == "no drift",
            "frontend_errors": self.frontend_errors_with_copy <= FRONTEND_ERRORS_MAX,
            "fail_fast": None if fail_fast is None else fail_fast <= FAIL_FAST_MAX_S,
            "recover": None if self.recover_s is None else self.recover_s <= RECOVER_MAX_S,
        }


class Traffic:
    """Readers on both sites and the game servers, every attempt recorded."""

    def __init__(self, backend_url: str, frontend_url: str, player: str, *, pace: float = 0.02):
        self.attempts: list[Attempt] = []
        self.good_copies: set[str] = set()  # frontend paths that have answered 200 once
        self.stopping = threading.Event()
        api = f"{backend_url}/api/v1/leaderboards/global"
        self.reads = {
            "backend": [
                f"{api}/entries?limit=10",
                f"{api}/players/{player}?around=2",
                f"{backend_url}/getdata",
            ],
            "frontend": [
                f"{frontend_url}/",
                f"{frontend_url}/data.json",
                f"{frontend_url}/players/{player}/",
            ],
        }
        self.pace = pace
        self.games = [
            GameServer(
                backend_url,
                TOKEN,
                BOARDS,
                [f"chaos-{name}-{number}" for number in range(8)],
                record=self.attempts.append,
                seed=seed,
            )
            for seed, name in enumerate("ab")
        ]
        self.threads = [
            threading.Thread(target=self._read, args=(site, offset), daemon=True)
            for site in self.reads
            for offset in range(2)
        ]

    def _read(self, site: str, offset: int) -> None:
        http = requests.Session()
        if site == "backend":
            http.headers["Authorization"] = f"Bearer {TOKEN}"
        urls = self.reads[site]
        number = offset
        while not self.stopping.is_set():
            url = urls[number % len(urls)]
            number += 1
            _, attempt = timed_request(http, site, "GET", url, timeout=10)
            if site == "frontend":
                path = url.split("/", 3)[3]
                attempt = Attempt(f"frontend /{path}", *astuple_tail(attempt))
                if attempt.status == 200 and not attempt.stale:
                    self.good_copies.add(attempt.what)
                elif attempt.what in self.good_copies:
                    attempt = Attempt(attempt.what + " (had a copy)", *astuple_tail(attempt))
            self.attempts.append(attempt)
            time.sleep(self.pace)

    def start(self) -> None:
        for thread in [*self.threads, *self.games]:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for game in self.games:
            game.stop()
        for thread in self.threads:
            thread.join(timeout=15)

    def between(self, start: float, end: float) -> list[Attempt]:
        return [attempt for attempt in list(self.attempts) if start <= attempt.started < end]


def astuple_tail(attempt: Attempt) -> tuple:
    return attempt.started, attempt.ended, attempt.status, attempt.error, attempt.stale


def succeeded(attempt: Attempt) -> bool:
    """A full success: 2xx, not a 202 "saved, ranked later", not a stale frontend copy."""
    return 200 <= attempt.status < 300 and attempt.status != 202 and not attempt.stale


def p99_ms(attempts: list[Attempt]) -> float | None:
    if not attempts:
        return None
    times = sorted(attempt.ended - attempt.started for attempt in attempts)
    return round(times[min(len(times) - 1, math.ceil(0.99 * len(times)) - 1)] * 1000, 1)


def measure(drill: Drill, traffic: Traffic, start: float, end: float, until: float) -> None:
    """Fill ``drill`` from the attempts: the fault from ``start`` to ``end``, then its
    recovery until ``until``."""
    during = traffic.between(start, max(end, start + WINDOW_MIN_S))
    everything = traffic.between(start, until)
    drill.fault_s = round(end - start, 2)
    drill.requests = len(everything)
    drill.failed = sum(not succeeded(attempt) for attempt in everything)
    drill.frontend_errors_with_copy = sum(
        "(had a copy)" in a.what and (a.status >= 500 or a.status == 0) for a in everything
    )
    backend = [a for a in during if not a.what.startswith("frontend")]
    failed = [a for a in backend if not 200 <= a.status < 300]
    if failed:
        drill.backend_fail_max_s = round(max(a.ended - a.started for a in failed), 3)
    drill.backend_no_answer = sum(a.status == 0 for a in failed)
    failures = [a.ended for a in everything if not succeeded(a)]
    drill.recover_s = round(max(0.0, max(failures, default=end) - end), 2)
    drill.p99_backend_ms = p99_ms(backend)
    drill.p99_frontend_ms = p99_ms([a for a in during if a.what.startswith("frontend")])
    for attempt in everything:
        name = f"{attempt.what.split(' ')[0]} {attempt.status or attempt.error}"
        name += " stale" if attempt.stale else ""
        drill.statuses[name] = drill.statuses.get(name, 0) + 1


class Stack:
    """PostgreSQL, Redis, the backend, the delaying proxy and the frontend of one run."""

    def __init__(self, session: Session, players: int):
        here = session.workdir
        self.processes = session.processes
        self.postgres = self.processes.add(PostgresServer(here / "postgres"))
        self.postgres.start()
        self.redis = self.processes.add(RedisServer(here / "redis"))
        self.redis.start()
        env = backend_env(self.redis.url, self.postgres.create_database("leaderboard"))
        checked(manage("migrate", "--no-input", env=env), "manage.py migrate")
        seed = ("--players", str(players), "--board", "global", "--random-seed", "1")
        checked(manage("seed", *seed, env=env), "manage.py seed")
        code = (
            "from backend_site.rankings.models import Leaderboard; "
            "Leaderboard.objects.create(slug='coins', title='Coins', operator='increment')"
        )
        checked(manage("shell", "-c", code, env=env), "creating the coins board")
        self.backend = self.processes.add(GunicornSite("backend_site.wsgi", env, here / "b.log"))
        self.backend.start()
        self.proxy = self.processes.add(DelayProxy(self.backend.port))
        fenv = frontend_env(self.proxy.url, here / "static")
        checked(manage("collectstatic", "--no-input", env=fenv), "frontend collectstatic")
        self.frontend = self.processes.add(GunicornSite("frontend_site.wsgi", fenv, here / "f.log"))
        self.frontend.start()

    def inject(self, fault: Fault) -> None:
        """Start ``fault``, let it last, end it; returns once it is over (a restart: up)."""
        if fault.key == "redis_restart_empty":
            self.redis.stop()
            shutil.rmtree(self.redis.workdir, ignore_errors=True)  # nothing to load back
            time.sleep(fault.seconds)
            self.redis.start()
        elif fault.key == "redis_freeze":
            self.redis.pause()
            time.sleep(fault.seconds)
            self.redis.resume()
        elif fault.key == "database_stop":
            self.postgres.stop()
            time.sleep(fault.seconds)
            self.postgres.start()
        elif fault.key == "worker_kill":
            os.kill(self.backend.worker_pids()[0], signal.SIGKILL)
        elif fault.key == "backend_restart":
            self.backend.process.send_signal(signal.SIGTERM)
            self.backend.process.wait(timeout=60)
            self.backend.start()
        elif fault.key == "backend_slow":
            self.proxy.delay = SLOW_SECONDS
            time.sleep(fault.seconds)
            self.proxy.delay = 0.0
        else:
            raise ValueError(fault.key)


def check_ledger(drill: Drill, stack: Stack, traffic: Traffic, lost_before: set[str]) -> None:
    """With the game servers paused: every acknowledged write where it belongs."""
    for game in traffic.games:
        game.pause()
    try:
        for game in traffic.games:
            game.settle()
        expected = expected_scores([w for game in traffic.games for w in game.acknowledged])
        stored = stored_scores(stack.backend, list(BOARDS), "chaos-")
        ranked = ranked_scores(stack.backend.url, TOKEN, expected)
        # Only what this fault lost: an entry found wrong before stays wrong in later checks.
        found = lost_writes(expected, stored, ranked)
        drill.lost = [line for line in found if line.split(":")[0] not in lost_before]
        lost_before.update(line.split(":")[0] for line in drill.lost)
        done = stack.backend.manage("verify_rankings", "--verbosity", "1", timeout=300)
        output = (done.stdout + done.stderr).strip()
        drill.verify = "no drift" if done.returncode == 0 else f"exit {done.returncode}: {output}"
    finally:
        for game in traffic.games:
            game.resume()


def run_drill(
    drill: Drill, traffic: Traffic, stack: Stack, act: Callable[[], None], gap: float, lost: set
) -> None:
    start = time.monotonic()
    act()
    end = time.monotonic()
    time.sleep(gap)
    measure(drill, traffic, start, end, time.monotonic())
    check_ledger(drill, stack, traffic, lost)
    mark = drill.met()
    say(
        f"  {drill.label}: lost {len(drill.lost)}, {drill.verify[:80]}, frontend errors "
        f"{drill.frontend_errors_with_copy}, backend fail max {drill.backend_fail_max_s} s, "
        f"recovered in {drill.recover_s} s, met {mark}"
    )


# --- Report ---------------------------------------------------------------------------------


def _cell(value, unit: str = "") -> str:
    return "-" if value is None else f"{value}{unit}"


def _flag(ok: bool | None) -> str:
    return {True: " ok", False: " MISSED", None: ""}[ok]


def table(drills: list[Drill]) -> str:
    header = (
        f"{'fault':<34}{'500s':>10}{'lost':>10}{'fe 5xx':>11}{'503 in s':>15}{'recover s':>16}"
        f"{'p99 be ms':>11}{'p99 fe ms':>11}{'requests':>10}"
    )
    lines = [header, "-" * len(header)]
    for drill in drills:
        met = drill.met()
        lost = f"{len(drill.lost)}{'' if drill.verify == 'no drift' else '*'}"
        lines.append(
            f"{drill.label:<34}{str(drill.unexpected) + _flag(met['unexpected']):>10}"
            f"{lost + _flag(met['lost']):>10}"
            f"{str(drill.frontend_errors_with_copy) + _flag(met['frontend_errors']):>11}"
            f"{_cell(drill.backend_fail_max_s) + _flag(met['fail_fast']):>15}"
            f"{_cell(drill.recover_s) + _flag(met['recover']):>16}"
            f"{_cell(drill.p99_backend_ms):>11}{_cell(drill.p99_frontend_ms):>11}"
            f"{drill.requests:>10}"
        )
    lines.append(
        f"targets: 500s (a 5xx other than 503, from either site) 0, "
        f"lost {LOST_MAX} (and verify_rankings: no drift; * = drift found), "
        f"frontend 5xx while a copy exists {FRONTEND_ERRORS_MAX}, backend's slowest failed "
        f"answer <= {FAIL_FAST_MAX_S:.0f} s, recovery <= {RECOVER_MAX_S:.0f} s"
    )
    return "\n".join(lines)


def write(drills: list[Drill], config: dict, facts: dict, notes: list, started: datetime):
    data = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "config": config,
        "machine": facts,
        "drills": [
            {**asdict(drill), "unexpected": drill.unexpected, "met": drill.met()}
            for drill in drills
        ],
        "notes": notes,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"chaos-{started.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


# --- Main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.chaos", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--players", type=int, default=1000, help="Players to seed (1,000).")
    parser.add_argument("--gap", type=float, default=15, help="Seconds of recovery after each.")
    parser.add_argument("--only", nargs="+", choices=[f.key for f in FAULTS], help="Faults.")
    parser.add_argument("--keep", action="store_true", help="Keep logs and data.")
    args = parser.parse_args(argv)
    session = Session("leaderboard-chaos-", keep=args.keep)
    session.workdir.chmod(0o711)  # PostgreSQL runs as the postgres user, who must reach it
    facts = machine()
    say(f"chaos drills; gunicorn {facts['gunicorn']}; work dir {session.workdir}")
    drills: list[Drill] = []
    lost: set[str] = set()
    with session:
        stack = Stack(session, args.players)
        traffic = Traffic(stack.backend.url, stack.frontend.url, f"p{args.players // 2:07d}")
        traffic.start()
        try:
            drill = Drill("baseline", "none (baseline)")
            drills.append(drill)
            run_drill(drill, traffic, stack, lambda: time.sleep(10), args.gap / 3, lost)
            for fault in FAULTS:
                if args.only and fault.key not in args.only:
                    continue
                say(f"fault: {fault.label}")
                drill = Drill(fault.key, fault.label)
                drills.append(drill)
                run_drill(drill, traffic, stack, lambda f=fault: stack.inject(f), args.gap, lost)
        finally:
            traffic.stop()
        failures = [failure for game in traffic.games for failure in game.failures]
        session.notes += [f"game server: {failure}" for failure in failures[:10]]
        writes = sum(len(game.acknowledged) for game in traffic.games)
        session.notes.append(f"{writes} writes acknowledged, {len(traffic.attempts)} requests")
        session.ok = True

    config = {"players": args.players, "gap_s": args.gap, "boards": BOARDS}
    path = write(drills, config, facts, session.notes, session.started)
    print()
    print(table(drills))
    for drill in drills:
        for line in drill.lost[:5]:
            print(f"lost ({drill.key}): {line}")
        if drill.verify and drill.verify != "no drift":
            print(f"verify_rankings after {drill.key}: {drill.verify[-500:]}")
    for note in session.notes:
        print(f"note: {note}")
    print(f"\nresults: {path.relative_to(ROOT)}")
    missed = any(value is False for drill in drills for value in drill.met().values())
    return 1 if missed or not session.ok else 0


if __name__ == "__main__":
    sys.exit(main())
