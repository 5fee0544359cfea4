"""One benchmark run: its options, its work directory, what it starts, how the sites are set.

The servers themselves come from common.local_servers. Each one a run starts is registered
with a `Processes` list, which stops them all in reverse order, whatever ends the run (normal
exit, exception, Ctrl-C).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from bench.measure import TOKEN, say
from common import local_servers

BACKEND_SECRET_KEY = "bench-backend-secret-key-not-for-production-use-0123456789"
FRONTEND_SECRET_KEY = "bench-frontend-secret-key-not-for-production-use-0123456789"


def parse_args(
    parser: argparse.ArgumentParser, argv: list[str] | None, helps: dict[str, str]
) -> argparse.Namespace:
    """Add the options both benchmarks take to ``parser`` (``helps`` of --quick and --profile),
    parse ``argv`` and fill in the defaults."""
    parser.add_argument("--quick", action="store_true", help=helps["quick"])
    parser.add_argument("--duration", type=int, help="Seconds per wrk run (default 10, quick 3).")
    parser.add_argument("--warmup", type=int, help="Seconds of unmeasured load before each run.")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32).")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2).")
    parser.add_argument("--profile", action="store_true", help=helps["profile"])
    parser.add_argument(
        "--keep", action="store_true", help="Keep the temporary directory (logs, databases)."
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (3 if args.quick else 10)
    args.warmup = args.warmup if args.warmup is not None else (0 if args.quick else 2)
    return args


def load_config(args: argparse.Namespace) -> dict:
    """How the load was run, as the results record it (with each benchmark's own options)."""
    return {
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connections": args.connections,
        "wrk_threads": args.threads,
        "quick": args.quick,
    }


class Processes:
    """What this run started; `stop_all()` ends each of them, newest first."""

    def __init__(self):
        self._servers: list = []

    def add(self, server):
        self._servers.append(server)
        return server

    def remove(self, server) -> None:
        server.stop()
        if server in self._servers:
            self._servers.remove(server)

    def stop_all(self) -> None:
        while self._servers:
            server = self._servers.pop()
            try:
                server.stop()
            except Exception as exc:  # keep stopping the others
                print(f"bench: could not stop {server}: {exc}", file=sys.stderr)


class Session:
    """One benchmark run: its work directory and the processes it starts.

    However the run ends (done, an error, Ctrl-C or SIGTERM), leaving the ``with`` block stops
    every process; the work directory goes too, unless ``keep`` or the run did not set
    ``ok``. An error or an interruption is noted in ``notes`` and does not propagate, so the
    caller still writes and prints what was measured.
    """

    def __init__(self, prefix: str, *, keep: bool):
        signal.signal(signal.SIGTERM, self._interrupt)
        self.workdir = Path(tempfile.mkdtemp(prefix=prefix))
        self.processes = Processes()
        self.keep = keep
        self.ok = False
        self.notes: list[str] = []
        self.started = datetime.now().astimezone()

    def announce(self, what: str, args: argparse.Namespace, machine: dict) -> None:
        """Say what the run measures, with which load and server, and where its files go."""
        load = f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
        say(f"{what}, {load}; gunicorn {machine['gunicorn']}; work dir {self.workdir}")

    @staticmethod
    def _interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    def __enter__(self) -> Session:
        return self

    def __exit__(self, kind, error, trace) -> bool:
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            say("interrupted: stopping everything this run started")
            self.notes.append("interrupted before the end")
        elif kind is not None and issubclass(kind, Exception):
            traceback.print_exception(kind, error, trace)
            self.notes.append(f"failed: {kind.__name__}: {str(error)[:300]}")
        self.processes.stop_all()
        if self.keep or not self.ok:
            say(f"logs and data kept in {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return kind is not None and issubclass(kind, (Exception, KeyboardInterrupt))


def backend_env(redis_url: str, database_url: str) -> dict[str, str]:
    """The backend in production mode on loopback, with the bench's own secrets."""
    return local_servers.backend_env(
        redis_url, database_url, secret_key=BACKEND_SECRET_KEY, service_token=TOKEN
    )


def frontend_env(backend_url: str, static_root: Path) -> dict[str, str]:
    """The frontend in production mode on loopback, with the bench's own secrets."""
    return local_servers.frontend_env(
        backend_url, static_root, secret_key=FRONTEND_SECRET_KEY, service_token=TOKEN
    )


def checked(done: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    """``done``, if it succeeded; else a RuntimeError with the end of its output."""
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done
