"""Real servers for tests: redis-server, PostgreSQL and the sites under gunicorn, on loopback."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
import requests
from psycopg import sql

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


def stop_pid(pid: int, *, timeout: float = 15) -> None:
    """End a process that is not our child (a daemon's pid): TERM, then KILL, until it is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not is_running(pid):
                return
            time.sleep(0.05)
    raise RuntimeError(f"process {pid} survived SIGKILL")


def is_running(pid: int) -> bool:
    """Whether ``pid`` is alive; a zombie (dead, waiting for its parent) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


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


POSTGRES_INSTALL = "/usr/lib/postgresql"


def postgres_programs() -> Path:
    """The bin folder of the newest PostgreSQL installed the Debian way (one folder a version)."""
    found = sorted(Path(POSTGRES_INSTALL).glob("*/bin/initdb"), key=_postgres_version)
    if not found:
        raise RuntimeError(
            f"No PostgreSQL under {POSTGRES_INSTALL}/*/bin: apt-get install postgresql "
            "(the tests start their own server; they never use the one on port 5432)."
        )
    return found[-1].parent


def _postgres_version(initdb: Path) -> list[int]:
    """9.6 < 10 < 15: compare the version folder's numbers, not its text."""
    return [int(part) for part in initdb.parts[-3].split(".") if part.isdigit()]


def postgres_user() -> pwd.struct_passwd:
    """The system user PostgreSQL runs as when we are root (initdb and postgres refuse root)."""
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError(
            "Running as root, PostgreSQL needs a 'postgres' user to run as: "
            "apt-get install postgresql creates it (or useradd --system postgres)."
        ) from None


def quoted(value: str) -> str:
    """A postgresql.conf string value."""
    return "'" + value.replace("'", "''") + "'"


class PostgresServer:
    """A private PostgreSQL cluster in ``workdir`` on a free loopback port (never 5432).

    Not crash-safe unless ``durable`` (no fsync: tests want speed). As root it runs as the
    postgres user, who must be able to reach ``workdir``.
    """

    def __init__(self, workdir: Path, *, durable: bool = False):
        self.workdir = workdir
        self.datadir = workdir / "data"
        self.logfile = workdir / "postgres.log"
        self.port = free_port()
        self.durable = durable

    def __repr__(self) -> str:
        return f"PostgreSQL on 127.0.0.1:{self.port}"

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def config(self) -> dict[str, str]:
        values = {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.workdir),
            "max_connections": "200",
        }
        if not self.durable:
            values |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        return values

    def start(self) -> None:
        if not (self.datadir / "PG_VERSION").exists():
            self._initdb()
        self._run("pg_ctl", "start", "-w", "-t", "60", "-s", "-D", self.datadir, "-l", self.logfile)

    def stop(self) -> None:
        pid = self.postmaster_pid()
        if pid is None or not is_running(pid):
            return
        try:
            self._run("pg_ctl", "stop", "-m", "fast", "-w", "-t", "30", "-s", "-D", self.datadir)
        finally:
            stop_pid(pid)  # whatever pg_ctl managed, no postgres is left behind

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create a database, empty or a copy of ``template``, and return its URL."""
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self._execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def _execute(self, query: sql.Composable) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(query)

    def _initdb(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = postgres_user()
            os.chown(self.workdir, user.pw_uid, user.pw_gid)
        options = ["--auth=trust", "-U", "postgres", "--encoding=UTF8", "--locale=C.UTF-8"]
        self._run("initdb", "-D", self.datadir, *options, "--no-sync")
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests.servers.PostgresServer\n")
            conf.writelines(f"{name} = {quoted(value)}\n" for name, value in self.config().items())

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.datadir / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def _run(self, program: str, *args: str | Path) -> None:
        command = [str(postgres_programs() / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command, cwd=self.workdir, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-3000:] if self.logfile.exists() else ""
            raise RuntimeError(f"{program} failed:\n{done.stdout}{done.stderr}{log}")


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
        """Create the site's database tables (the backend's DATABASE_URL)."""
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
