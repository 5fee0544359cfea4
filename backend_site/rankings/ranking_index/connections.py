"""This process's Redis client (one node or a cluster, chosen once), and running the
Lua scripts (lua/, joined by scripts.py) on it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django_redis import get_redis_connection
from redis import Redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.retry import Retry

from backend_site.rankings.ranking_index import scripts
from backend_site.rankings.ranking_index.layout import LUA_CONSTANTS


def lua(name: str) -> str:
    """The script ``lua/<name>.lua`` (scripts.py), with this layout's constants."""
    return scripts.source(name, LUA_CONSTANTS)


_thread = threading.local()


_cluster_client: RedisCluster | None = None


_cluster_building = threading.Lock()


def connection() -> Redis:
    """Return this process's Redis client: decided once, on first use, by REDIS_CLUSTER.

    This function then replaces itself with the one chosen (``node_connection`` or
    ``cluster_connection``), so a request pays no check for the choice.
    """
    return _connection_choose(cluster=settings.REDIS_CLUSTER)()


_undecided_connection = connection


def _connection_choose(*, cluster: bool | None) -> Callable[[], Redis]:
    """Make ``connection`` the cluster or the single-node one (None: undecided again)."""
    if cluster is None:
        chosen = _undecided_connection
    else:
        chosen = cluster_connection if cluster else node_connection
    globals()["connection"] = chosen
    return chosen


def _settings_changed(*, setting: str, **kwargs) -> None:
    # Tests change CACHES or REDIS_CLUSTER per test: choose (and build) again on next use.
    global _cluster_client
    if setting in ("CACHES", "REDIS_CLUSTER"):
        _connection_choose(cluster=None)
        if _cluster_client is not None:
            _cluster_client.close()
            _cluster_client = None


setting_changed.connect(_settings_changed)


def cluster_connection() -> RedisCluster:
    """Return the process's redis-py cluster client (thread-safe, with a pool per node),
    built from the cache's LOCATION and options as the single-node pool is."""
    client = _cluster_client
    if client is None:
        client = _cluster_build()
    return client


def _cluster_build() -> RedisCluster:
    global _cluster_client
    with _cluster_building:  # the first requests of a worker's threads may arrive together
        if _cluster_client is None:
            cache = settings.CACHES["default"]
            options = cache.get("OPTIONS", {})
            _cluster_client = RedisCluster.from_url(
                cache["LOCATION"],
                socket_connect_timeout=options.get("SOCKET_CONNECT_TIMEOUT"),
                socket_timeout=options.get("SOCKET_TIMEOUT"),
                # One retry: a command that meets a failed-over or moved slot asks for the
                # new layout once, then fails (503, or 202 for a saved write) rather than
                # keeping the caller waiting; game servers retry.
                retry=Retry(NoBackoff(), 1),
                **{
                    name: value
                    for name, value in options.get("CONNECTION_POOL_KWARGS", {}).items()
                    if name not in ("retry", "retry_on_error")  # the single node's, above
                },
            )
        return _cluster_client


def node_connection() -> Redis:
    """Return this thread's client on django-redis's shared, per-process connection pool.

    Each thread keeps one connection of the pool for itself (redis-py's
    ``single_connection_client``), so a command skips taking a connection from the pool and
    giving it back, which cost about a fifth of a read's time in Redis's client. The client
    follows the pool: a new pool (other settings) gets a new client.
    """
    pool = get_redis_connection("default").connection_pool
    client = getattr(_thread, "client", None)
    if client is None or client.connection_pool is not pool:
        if client is not None:
            client.close()
        client = _thread.client = Redis(connection_pool=pool, single_connection_client=True)
    return client


_scripts: dict[str, Script] = {}


def script(source: str) -> Script:
    # Script objects only hold the source and its SHA; the client is passed per call.
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = Script(None, source.encode())
    return script


def run(source: str, keys: list[str], args: list, client: Redis | None):
    return script(source)(keys=keys, args=args, client=client or connection())
