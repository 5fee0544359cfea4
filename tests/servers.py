"""Real servers for tests: redis-server and the sites under gunicorn, on free loopback ports."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, *, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:  # the thing is still starting
            last_error = exc
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready after {timeout}s (last error: {last_error})")


def stop_process_group(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """End a process started in its own session, and its children: TERM, then KILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


class RedisServer:
    """A private redis-server on a free port; stop() and start() again to simulate an outage."""

    def __init__(self, workdir: Path, *, tls: dict | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.tls = tls
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        scheme = "rediss" if self.tls else "redis"
        return f"{scheme}://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on PATH: install Debian's redis-server.")
        args = [binary, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.workdir), "--loglevel", "warning"]
        if self.tls:
            args += ["--port", "0", "--tls-port", str(self.port)]
            args += ["--tls-cert-file", self.tls["cert"], "--tls-key-file", self.tls["key"]]
            args += ["--tls-ca-cert-file", self.tls["ca"], "--tls-auth-clients", "no"]
        else:
            args += ["--port", str(self.port)]
        return args

    def client(self) -> redis.Redis:
        if self.tls:
            return redis.Redis.from_url(self.url, ssl_ca_certs=self.tls["ca"])
        return redis.Redis.from_url(self.url)

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL)
        client = self.client()
        wait_until(client.ping, what=f"redis-server on port {self.port}")
        client.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class Site:
    """One of the Django sites under gunicorn with gunicorn.conf.py, as App Runner runs it."""

    def __init__(self, wsgi: str, env: dict[str, str], logfile: Path):
        self.wsgi = wsgi
        self.port = free_port()
        self.env = {**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.env.setdefault("WEB_CONCURRENCY", "2")
        self.logfile = logfile
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def migrate(self) -> None:
        """Create the site's database tables (the backend's SQLite file)."""
        done = self.manage("migrate", "--no-input", "-v", "0")
        if done.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{done.stderr}")

    def start(self) -> None:
        log = self.logfile.open("ab")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", self.wsgi],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(
            lambda: requests.get(f"{self.url}/healthz", timeout=1).ok,
            timeout=30,
            what=f"{self.wsgi} on port {self.port}",
        )

    def stop(self) -> None:
        if self.process:
            stop_process_group(self.process)
        self.process = None

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""


class Sites:
    """The sites one fixture starts, each with a folder of its own; stop_all() ends them."""

    def __init__(self, tmp_path_factory, name: str):
        self.tmp_path_factory = tmp_path_factory
        self.name = name
        self.started: list[Site] = []

    def workdir(self) -> Path:
        return self.tmp_path_factory.mktemp(self.name)

    def start(
        self, wsgi: str, env: dict[str, str], *, workdir: Path | None = None, migrate=False
    ) -> Site:
        site = Site(wsgi, env, (workdir or self.workdir()) / "gunicorn.log")
        if migrate:
            site.migrate()
        self.started.append(site)
        site.start()
        return site

    def stop_all(self) -> None:
        for site in self.started:
            site.stop()
