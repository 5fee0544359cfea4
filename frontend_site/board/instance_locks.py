"""Locks shared by every worker of a frontend instance: flock(2) on files in FRONTEND_CACHE_DIR.

Gunicorn's workers are separate processes, so a threading.Lock cannot make them take turns. A
flock on a file can, with no server to run: the kernel ties the lock to one open() of the
file, so threads of one process exclude each other as processes do, and it is released when
the file is closed, which the kernel does when a process dies: a worker killed while holding
a lock never leaves it held. The files are empty and their number fixed (KEY_STRIPES, plus
one per backend slot), in ``locks/`` next to the instance's shared cache.

Nobody waits on the kernel's queue: a waiter polls with LOCK_NB until its deadline and then
gives up, so no request waits longer than its caller allows.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

# Keys share a lock when they share a stripe; a few hundred keep that rare among the few
# fetches in flight (at most FRONTEND_BACKEND_CONCURRENCY), for a few hundred empty files.
KEY_STRIPES = 256
POLL_SECONDS = 0.005
logger = logging.getLogger("frontend_site.board")


class LockBusy(Exception):
    """No lock came free within the time allowed."""


@contextmanager
def key_lock(key: str, *, within: float) -> Iterator[None]:
    """Hold ``key``'s lock, shared by every worker of the instance; LockBusy after ``within`` s."""
    stripe = zlib.crc32(key.encode()) % KEY_STRIPES
    with _first_free([f"key-{stripe}"], within=within):
        yield


@contextmanager
def backend_slot(*, within: float) -> Iterator[None]:
    """Hold one of the instance's FRONTEND_BACKEND_CONCURRENCY slots for a call to the backend;
    LockBusy if none comes free within ``within`` seconds."""
    names = [f"backend-{slot}" for slot in range(settings.FRONTEND_BACKEND_CONCURRENCY)]
    with _first_free(names, within=within):
        yield


@contextmanager
def _first_free(names: list[str], *, within: float) -> Iterator[None]:
    try:
        held = _acquire(names, deadline=time.monotonic() + within)
    except OSError as exc:
        # No lock files (a folder that cannot be written): serve as a worker alone would,
        # unguarded, rather than answer an error page.
        logger.warning("Instance locks unavailable in %s: %s", settings.FRONTEND_CACHE_DIR, exc)
        yield
        return
    try:
        yield
    finally:
        os.close(held)  # closing the file releases its lock


def _acquire(names: list[str], *, deadline: float) -> int:
    """Lock the first of the files ``names`` that is free and return its descriptor."""
    descriptors: list[int] = []
    try:
        for name in names:
            descriptors.append(_open(name))
        while True:
            for descriptor in descriptors:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                descriptors.remove(descriptor)  # kept open: the lock lives as long as it does
                return descriptor
            if time.monotonic() >= deadline:
                raise LockBusy(f"{names[0]} and {len(names) - 1} others held")
            time.sleep(POLL_SECONDS)
    finally:
        for descriptor in descriptors:
            os.close(descriptor)


def _open(name: str) -> int:
    folder = Path(settings.FRONTEND_CACHE_DIR) / "locks"
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
    try:
        return os.open(folder / name, flags, 0o600)
    except FileNotFoundError:  # the first lock of a new instance
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(folder / name, flags, 0o600)
