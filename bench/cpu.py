"""Where the machine's CPU went during a run: our servers, wrk, and everything else.

On a 2-core machine the load generator, Redis and the sites share the same cores, and other
people's jobs may too; these numbers say how much of the machine each side used.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def session_seconds(session: int) -> float:
    """CPU seconds used so far by the live processes of one session (a server and its workers)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # fields[0] is field 3 of proc(5): session is field 6, utime and stime 14 and 15.
        if int(fields[3]) == session:
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (everything but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / _TICKS


def children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Snapshot:
    at: float
    sessions: dict[str, float]
    children: float
    machine: float


def snapshot(sessions: dict[str, int]) -> Snapshot:
    return Snapshot(
        at=time.monotonic(),
        sessions={name: session_seconds(sid) for name, sid in sessions.items()},
        children=children_seconds(),
        machine=machine_busy_seconds(),
    )


def cores_used(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """Average cores each side kept busy between two snapshots (wrk = our finished children)."""
    elapsed = after.at - before.at
    used = {
        name: (after.sessions[name] - before.sessions[name]) / elapsed for name in after.sessions
    }
    used["wrk"] = (after.children - before.children) / elapsed
    machine = (after.machine - before.machine) / elapsed
    used["other"] = max(0.0, machine - sum(used.values()))
    used["machine"] = machine
    return {name: round(value, 2) for name, value in used.items()}
