"""Local servers for `make run`, the tests and the bench: Redis, PostgreSQL, the sites.

Everything listens on loopback only, on a free port unless told otherwise, and is started in a
session of its own so that stopping it ends its children too. One module per noun:
``processes`` (ports, waiting, stopping), ``redis_servers``, ``postgres`` and ``sites``.
"""

from common.local_servers.postgres import PostgresServer
from common.local_servers.processes import (
    HOST,
    PYTHON,
    ROOT,
    ProcessExited,
    free_port,
    free_ports,
    is_running,
    port_is_free,
    start_in_session,
    stop_process_group,
    wait_until,
)
from common.local_servers.redis_servers import RedisCluster, RedisServer
from common.local_servers.sites import (
    GunicornSite,
    backend_env,
    frontend_env,
    manage,
)

__all__ = [
    "HOST",
    "PYTHON",
    "ROOT",
    "GunicornSite",
    "PostgresServer",
    "ProcessExited",
    "RedisCluster",
    "RedisServer",
    "backend_env",
    "free_port",
    "free_ports",
    "frontend_env",
    "is_running",
    "manage",
    "port_is_free",
    "start_in_session",
    "stop_process_group",
    "wait_until",
]
