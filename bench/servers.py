"""The processes a benchmark run starts: redis-server and gunicorn sites, on loopback only.

Every process is started in its own session and registered with a `Processes` list, which
stops them all in reverse order, whatever ends the run (normal exit, exception, Ctrl-C).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
import urllib.request
from pathlib import Path

import redis

from bench.measure import say
from common.local_servers import free_port, stop_process_group, wait_until

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"


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


class RedisServer:
    """A private redis-server on a free loopback port, no persistence, data in `workdir`."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"redis-server on {HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host=HOST, port=self.port)

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on PATH: apt-get install redis-server")
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [binary, "--bind", HOST, "--port", str(self.port), "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.workdir), "--loglevel", "warning"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, start_new_session=True)
        client = self.client()
        wait_until(client.ping, timeout=15, what=str(self))
        client.close()

    def used_memory(self) -> int:
        client = self.client()
        try:
            return int(client.info("memory")["used_memory"])
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)
        self.process = None


class Gunicorn:
    """A WSGI app under gunicorn with ./gunicorn.conf.py, as `make run` and App Runner run it.

    Only the bind address is set here; workers and threads come from gunicorn.conf.py
    (and WEB_CONCURRENCY / GUNICORN_THREADS if the caller exported them).
    """

    def __init__(self, wsgi: str, env: dict[str, str], logfile: Path, *, ready_path="/healthz"):
        self.wsgi = wsgi
        self.port = free_port()
        self.env = {**os.environ, **env, "GUNICORN_BIND": f"{HOST}:{self.port}"}
        self.logfile = logfile
        self.ready_path = ready_path
        self.process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"gunicorn {self.wsgi} on {HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        log = self.logfile.open("ab")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), self.wsgi],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def ready() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self} exited; see {self.logfile}")
            with urllib.request.urlopen(self.url + self.ready_path, timeout=1) as response:
                return response.status == 200

        try:
            wait_until(ready, timeout=60, what=str(self))
        except (TimeoutError, RuntimeError) as exc:
            raise RuntimeError(f"{exc}\n--- {self.logfile} ---\n{self.log_tail()}") from None

    def log_tail(self, lines: int = 30) -> str:
        if not self.logfile.exists():
            return ""
        return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)
        self.process = None


def manage(*args: str, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    """Run `manage.py` with the given environment; output is captured."""
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
