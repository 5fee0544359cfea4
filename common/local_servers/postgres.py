"""A private PostgreSQL cluster on loopback, never the machine's own on 5432."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from common.local_servers.processes import HOST, free_port, is_running, stop_pid

POSTGRES_INSTALL = "/usr/lib/postgresql"
# Besides Debian's one folder a version: Homebrew's versioned formulae (Apple silicon, Intel).
HOMEBREW_INSTALLS = ("/opt/homebrew/opt", "/usr/local/opt")


def postgres_programs() -> Path:
    """The bin folder of the newest PostgreSQL installed the Debian or Homebrew way, or on PATH."""
    found = [*Path(POSTGRES_INSTALL).glob("*/bin/initdb")]
    for folder in HOMEBREW_INSTALLS:
        found += Path(folder).glob("postgresql@*/bin/initdb")
    found.sort(key=_postgres_version)
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise RuntimeError(
        f"No PostgreSQL under {POSTGRES_INSTALL}/*/bin: apt-get install postgresql, or "
        "scripts/setup-system.sh test (the tests start their own server; they never use the "
        "one on port 5432)."
    )


def _postgres_version(initdb: Path) -> list[int]:
    """9.6 < 10 < 15 (postgresql@15): compare the version folder's numbers, not its text."""
    version = initdb.parts[-3].rpartition("@")[2]
    return [int(part) for part in version.split(".") if part.isdigit()]


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
        return f"PostgreSQL on {HOST}:{self.port}"

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{dbname}"

    def config(self) -> dict[str, str]:
        values = {
            "port": str(self.port),
            "listen_addresses": HOST,
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
        from psycopg import sql

        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self._execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing its connections first."""
        from psycopg import sql

        self._execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def _execute(self, query) -> None:
        import psycopg  # only where PostgreSQL is used: `make run` may not have it

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
            conf.write("\n# common.local_servers.postgres.PostgresServer\n")
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
