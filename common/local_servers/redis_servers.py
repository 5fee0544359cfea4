"""A private redis-server, or a Redis Cluster of them, on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

import redis

from common.local_servers.processes import (
    HOST,
    InSession,
    ProcessExited,
    free_port,
    free_ports,
    start_in_session,
    wait_until,
)


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
        # is past 65535 for many free ports. All are chosen at once, so no two are the same
        # (a cluster once got one port for two nodes, and never formed).
        count = masters * (1 + replicas)
        ports = free_ports(2 * count)
        self.nodes = [
            RedisServer(
                workdir / f"node-{number}",
                port=ports[2 * number],
                tls=tls,
                databases=1,
                options=(
                    *options,
                    *("--cluster-port", str(ports[2 * number + 1])),
                    *("--logfile", str(workdir / f"node-{number}.log"), "--loglevel", "notice"),
                ),
            )
            for number in range(count)
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
