"""Local servers for `make run`, the tests and the bench: Redis, PostgreSQL, the sites.

Everything listens on loopback only, on a free port unless told otherwise, and is started in a
session of its own so that stopping it ends its children too.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
POSTGRES_INSTALL = "/usr/lib/postgresql"

# Production mode for either site, but on loopback and plain HTTP (as behind App Runner).
PRODUCTION_ON_LOOPBACK = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
}


# --- Ports and processes --------------------------------------------------------------------


class ProcessExited(RuntimeError):
    """A server's process ended while we waited for it to be ready."""

    def __init__(self, what: str, returncode: int | None, detail: str = ""):
        super().__init__(f"{what} exited with status {returncode}{detail}")
        self.returncode = returncode


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether nothing answers on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) != 0


def wait_until(check: Callable[[], object], *, timeout: float = 15.0, what: str = "condition"):
    """Call ``check`` until it returns something true; TimeoutError after ``timeout`` seconds.

    Errors from ``check`` mean "not yet", except ProcessExited, which ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except ProcessExited:
            raise
        except Exception as exc:  # the thing is still starting
            last_error = exc
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready after {timeout}s (last error: {last_error})")


def wait_for_port(
    port: int, *, process: subprocess.Popen | None = None, timeout: float = 15.0, what: str = ""
) -> None:
    """Wait until something listens on 127.0.0.1:``port``; ProcessExited if ``process`` ends."""
    what = what or f"port {port}"

    def listening() -> bool:
        if process is not None and process.poll() is not None:
            raise ProcessExited(what, process.returncode)
        return not port_is_free(port)

    wait_until(listening, timeout=timeout, what=what)


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


def start_in_session(args: list[str], *, env=None, logfile: Path | None = None, **options):
    """Start ``args`` from the repository root in a session of its own; output to ``logfile``
    (appended), or to our own output when None."""
    if logfile is None:
        return subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True, **options)
    with logfile.open("ab") as log:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **options,
        )


# --- Redis ----------------------------------------------------------------------------------


class InSession:
    """A server whose process start_in_session started; stop() ends it and its children."""

    process: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process)
        self.process = None


@dataclass(eq=False, repr=False)
class RedisServer(InSession):
    """A private redis-server on loopback (a free port unless ``port``); stop() and start()
    again to simulate an outage.

    No persistence unless ``save`` (redis-server's ``--save``, e.g. "60 1") is given; then the
    dump goes to ``workdir / dbfilename``. ``output`` is where its log goes (None: ours).
    """

    workdir: Path
    _: KW_ONLY
    port: int = 0
    tls: dict[str, str] | None = None
    databases: int = 16
    save: str = ""
    dbfilename: str = "dump.rdb"
    binary: str | None = None
    output: int | None = subprocess.DEVNULL
    options: tuple[str, ...] = ()  # more redis-server arguments

    def __post_init__(self) -> None:
        self.port = self.port or free_port()

    def __repr__(self) -> str:
        return f"redis-server on {HOST}:{self.port}"

    @property
    def url(self) -> str:
        return self.database_url(0)

    def database_url(self, number: int) -> str:
        """The URL of one of the server's logical databases."""
        scheme = "rediss" if self.tls else "redis"
        return f"{scheme}://{HOST}:{self.port}/{number}"

    def command(self) -> list[str]:
        """The redis-server command line."""
        binary = self.binary or shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on PATH: install Debian's redis-server.")
        args = [binary, "--bind", HOST, "--save", self.save, "--dbfilename", self.dbfilename]
        args += ["--appendonly", "no", "--dir", str(self.workdir), "--loglevel", "warning"]
        args += ["--databases", str(self.databases)]
        if self.tls:
            args += ["--port", "0", "--tls-port", str(self.port)]
            args += ["--tls-cert-file", self.tls["cert"], "--tls-key-file", self.tls["key"]]
            args += ["--tls-ca-cert-file", self.tls["ca"], "--tls-auth-clients", "no"]
        else:
            args += ["--port", str(self.port)]
        return args + list(self.options)

    def client(self, database: int = 0) -> redis.Redis:
        """A new client on one of the server's databases (close it when done)."""
        if self.tls:
            return redis.Redis.from_url(self.database_url(database), ssl_ca_certs=self.tls["ca"])
        return redis.Redis.from_url(self.database_url(database))

    def start(self, *, timeout: float = 15) -> None:
        """Start the server and wait until it answers PING; stopped again if it does not."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = start_in_session(self.command(), stdout=self.output)
        client = self.client()

        def ready() -> bool:
            if self.process.poll() is not None:
                raise ProcessExited("redis-server", self.process.returncode)
            return client.ping()

        try:
            wait_until(ready, timeout=timeout, what=str(self))
        except Exception:
            self.stop()
            raise
        finally:
            client.close()

    def used_memory(self) -> int:
        """Bytes the server holds (INFO memory's used_memory)."""
        client = self.client()
        try:
            return int(client.info("memory")["used_memory"])
        finally:
            client.close()

    def pause(self) -> None:
        """Stop the process without ending it (SIGSTOP): it keeps its port but answers nothing."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server go on (SIGCONT); harmless when it is not paused."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        """End the server at once (SIGKILL), as a crash would: it saves and passes on nothing."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


class RedisCluster:
    """A private Redis Cluster on loopback: ``masters`` redis-servers with ``replicas``
    replicas each, on free ports, joined with ``redis-cli --cluster create``.

    No persistence, as for RedisServer; each node keeps its cluster configuration in its own
    folder under ``workdir``, so stop() and start() again bring back the same cluster, empty
    (an outage). A failed node is noticed after ``node_timeout`` milliseconds.

    With ``tls`` (RedisServer's cert, key and ca), every node speaks TLS only: to clients, and
    on the cluster bus and replication links too, as ElastiCache with encryption in transit.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        masters: int = 3,
        replicas: int = 1,
        node_timeout: int = 1000,
        tls: dict[str, str] | None = None,
    ):
        self.workdir = workdir
        self.masters_wanted = masters
        self.replicas = replicas
        self.tls = tls
        options = ("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
        if tls:
            options += ("--tls-cluster", "yes", "--tls-replication", "yes")
        options += ("--cluster-node-timeout", str(node_timeout))
        # A replica syncs at once (not after the default five seconds' wait for others).
        options += ("--repl-diskless-sync-delay", "0")
        # Each node's cluster bus gets a free port of its own: the default, port + 10000,
        # is past 65535 for many free ports.
        self.nodes = [
            RedisServer(
                workdir / f"node-{number}",
                tls=tls,
                databases=1,
                options=(
                    *options,
                    *("--cluster-port", str(free_port())),
                    *("--logfile", str(workdir / f"node-{number}.log"), "--loglevel", "notice"),
                ),
            )
            for number in range(masters * (1 + replicas))
        ]
        self.created = False

    def __repr__(self) -> str:
        return f"Redis Cluster on {HOST}:{','.join(str(node.port) for node in self.nodes)}"

    @property
    def url(self) -> str:
        """The URL of one node: a cluster client finds the others from it."""
        return self.nodes[0].url

    def start(self, *, timeout: float = 30) -> None:
        """Start every node, join them into a cluster the first time, and wait until every
        node says the cluster is ok; stopped again if it never is."""
        try:
            for node in self.nodes:
                node.start()
            if not self.created:
                self._create()
                self.created = True
            wait_until(self.is_ok, timeout=timeout, what=str(self))
        except Exception:
            self.stop()
            raise

    def _create(self) -> None:
        cli = shutil.which("redis-cli")
        if cli is None:
            raise RuntimeError("redis-cli is not on PATH: install Debian's redis-tools.")
        addresses = [f"{HOST}:{node.port}" for node in self.nodes]
        command = [cli, "--cluster", "create", *addresses]
        command += ["--cluster-replicas", str(self.replicas), "--cluster-yes"]
        if self.tls:
            command += ["--tls", "--cacert", self.tls["ca"]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed:\n{done.stdout}{done.stderr}")

    def is_ok(self) -> bool:
        """Whether every running node answers, knows every node and says cluster_state:ok,
        every running replica is in sync with its master (only such a replica can take its
        place), and ``masters`` masters are among the running nodes."""
        for node in self.running():
            client = node.client()
            try:
                info = client.cluster("info")
                if info["cluster_state"] != "ok" or int(info["cluster_known_nodes"]) != len(
                    self.nodes
                ):
                    return False
                replication = client.info("replication")
                if replication["role"] == "slave" and replication["master_link_status"] != "up":
                    return False
            finally:
                client.close()
        return len(self.masters()) == self.masters_wanted

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def pause(self) -> None:
        for node in self.nodes:
            node.pause()

    def resume(self) -> None:
        for node in self.nodes:
            node.resume()

    def client(self) -> redis.RedisCluster:
        """A new cluster client (close it when done)."""
        if self.tls:
            return redis.RedisCluster.from_url(self.url, ssl_ca_certs=self.tls["ca"])
        return redis.RedisCluster.from_url(self.url)

    def role(self, node: RedisServer) -> str:
        """``master`` or ``slave``, as the node itself says."""
        client = node.client()
        try:
            return client.execute_command("ROLE")[0].decode()
        finally:
            client.close()

    def running(self) -> list[RedisServer]:
        return [node for node in self.nodes if node.process is not None]

    def masters(self) -> list[RedisServer]:
        return [node for node in self.running() if self.role(node) == "master"]

    def flush(self) -> None:
        """Empty every master (their replicas follow)."""
        for node in self.masters():
            client = node.client()
            try:
                client.flushall()
            finally:
                client.close()

    def master_of(self, key: str) -> RedisServer:
        """The node that serves ``key``'s slot now."""
        client = self.nodes[0].client()
        try:
            slot = client.cluster("keyslot", key)
            for start, end, master, *_ in client.execute_command("CLUSTER SLOTS"):
                if start <= slot <= end:
                    port = master[1]
                    break
        finally:
            client.close()
        return next(node for node in self.nodes if node.port == port)

    def replica_of(self, master: RedisServer) -> RedisServer:
        """A node that replicates ``master``."""
        for node in self.nodes:
            if node is master or not node.process:
                continue
            client = node.client()
            try:
                role = client.execute_command("ROLE")
            finally:
                client.close()
            if role[0] == b"slave" and int(role[2]) == master.port:
                return node
        raise LookupError(f"no replica of {master}")

    def failover(self, replica: RedisServer, *, timeout: float = 15) -> None:
        """Promote ``replica`` in its master's place (CLUSTER FAILOVER, agreed with the master
        so no acknowledged write is dropped) and wait until the cluster is ok again."""
        client = replica.client()
        try:
            client.execute_command("CLUSTER FAILOVER")
        finally:
            client.close()
        self.wait_for_master(replica, timeout=timeout)

    def wait_for_master(self, node: RedisServer, *, timeout: float = 15) -> None:
        """Wait until ``node`` is a master (a replica promoted) and the cluster is ok."""
        wait_until(lambda: self.role(node) == "master", timeout=timeout, what="failover")
        wait_until(self.is_ok, timeout=timeout, what=str(self))


# --- PostgreSQL -----------------------------------------------------------------------------


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
            conf.write("\n# common.local_servers.PostgresServer\n")
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


# --- The sites ------------------------------------------------------------------------------


def manage(
    *args: str,
    env: dict[str, str],
    timeout: float | None = 900,
    inherit: bool = True,
    capture: bool = True,
    check: bool = False,
) -> subprocess.CompletedProcess:
    """Run ``manage.py`` from the repository root with ``env`` added to ours (all of it, and
    nothing else, unless ``inherit``); output captured as text unless ``capture`` is off."""
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env} if inherit else env,
        capture_output=capture,
        text=True,
        timeout=timeout,
        check=check,
    )


def production_env(
    site: str, *, secret_key: str, service_token: str, **values: str
) -> dict[str, str]:
    """Environment of ``site`` (backend_site or frontend_site) in production mode, on loopback
    and plain HTTP, with the caller's secrets and ``values``."""
    return {
        **PRODUCTION_ON_LOOPBACK,
        "DJANGO_SETTINGS_MODULE": f"{site}.settings",
        "DJANGO_SECRET_KEY": secret_key,
        "BACKEND_SERVICE_TOKEN": service_token,
        **values,
    }


def backend_env(
    redis_url: str, database_url: str, *, secret_key: str, service_token: str, **extra: str
) -> dict[str, str]:
    """Environment of a backend in production mode, on loopback and plain HTTP; ``extra``
    adds or overrides variables."""
    values = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, **extra}
    return production_env(
        "backend_site", secret_key=secret_key, service_token=service_token, **values
    )


def frontend_env(
    backend_url: str, static_root: Path, *, secret_key: str, service_token: str, **extra: str
) -> dict[str, str]:
    """Environment of a frontend in production mode, on loopback and plain HTTP; ``extra``
    adds or overrides variables."""
    values = {"DJANGO_STATIC_ROOT": str(static_root), "BACKEND_URL": backend_url, **extra}
    return production_env(
        "frontend_site", secret_key=secret_key, service_token=service_token, **values
    )


class GunicornSite(InSession):
    """One of the Django sites (or any WSGI app) under gunicorn with ./gunicorn.conf.py, as
    App Runner runs it.

    Only the bind address is set here (``bind``, else a free loopback port); workers and
    threads come from gunicorn.conf.py and the environment. The log goes to ``logfile``, or to
    our own output when it is None.
    """

    def __init__(
        self,
        wsgi: str,
        env: dict[str, str],
        logfile: Path | None,
        *,
        bind: str | None = None,
        ready_path: str = "/healthz",
    ):
        self.wsgi = wsgi
        self.bind = bind or f"{HOST}:{free_port()}"
        self.port = int(self.bind.rsplit(":", 1)[1])
        self.env = {**os.environ, **env, "GUNICORN_BIND": self.bind}
        self.logfile = logfile
        self.ready_path = ready_path
        self.process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"gunicorn {self.wsgi} on {self.bind}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def manage(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """Run ``manage.py`` in the site's environment; output captured."""
        return manage(*args, env=self.env, timeout=timeout, inherit=False)

    def migrate(self) -> None:
        """Create the site's database tables (the backend's DATABASE_URL)."""
        done = self.manage("migrate", "--no-input", "-v", "0")
        if done.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{done.stderr}")

    def start(self, *, timeout: float = 60) -> None:
        """Start gunicorn and wait for a 200 on ``ready_path``; if gunicorn exits first or
        never answers, stop it and raise with the end of its log."""
        conf = str(ROOT / "gunicorn.conf.py")
        command = [PYTHON, "-m", "gunicorn", "-c", conf, "--bind", self.bind, self.wsgi]
        self.process = start_in_session(command, env=self.env, logfile=self.logfile)

        def ready() -> bool:
            if self.process.poll() is not None:
                raise ProcessExited(str(self), self.process.returncode, self._log_note())
            return requests.get(self.url + self.ready_path, timeout=1).status_code == 200

        try:
            wait_until(ready, timeout=timeout, what=str(self))
        except TimeoutError as exc:
            self.stop()
            raise TimeoutError(f"{exc}{self._log_note()}") from None
        except ProcessExited:
            self.process = None
            raise

    def _log_note(self) -> str:
        if self.logfile is None:
            return "; see its output above"
        return f"\n--- {self.logfile} ---\n{self.log_tail()}"

    def log(self) -> str:
        """Everything gunicorn and the site logged so far."""
        if self.logfile is None or not self.logfile.exists():
            return ""
        return self.logfile.read_text(errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the log."""
        return "\n".join(self.log().splitlines()[-lines:])
