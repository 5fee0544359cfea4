"""Ports and processes for the local servers: free ports, waiting, starting and stopping."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
HOST = "127.0.0.1"


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


def free_ports(count: int) -> list[int]:
    """``count`` different TCP ports nothing listens on right now: each socket is held until
    all are chosen, as free_port called again may hand back a port it just gave."""
    with contextlib.ExitStack() as held:
        ports = []
        for _ in range(count):
            sock = held.enter_context(socket.socket())
            sock.bind((HOST, 0))
            ports.append(sock.getsockname()[1])
    return ports


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


def start_in_session(
    args: list[str], *, env=None, logfile: Path | None = None, cwd: Path = ROOT, **options
):
    """Start ``args`` from ``cwd`` (the repository root) in a session of its own; output to
    ``logfile`` (appended), or to our own output when None."""
    if logfile is None:
        return subprocess.Popen(args, cwd=cwd, env=env, start_new_session=True, **options)
    with logfile.open("ab") as log:
        return subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **options,
        )


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
