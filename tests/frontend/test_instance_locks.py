"""frontend_site.board.instance_locks: locks that the workers of an instance share, held by
real processes (another Python, started here) and threads."""

import signal
import subprocess
import threading
import time

import pytest

from common.local_servers import PYTHON, ROOT
from frontend_site.board import instance_locks
from frontend_site.board.instance_locks import LockBusy

# Another worker of the same instance: the same module over the same folder, holding a lock.
HOLDER = """
import sys, time
from django.conf import settings
settings.configure(FRONTEND_CACHE_DIR=sys.argv[1], FRONTEND_BACKEND_CONCURRENCY=1)
from frontend_site.board import instance_locks
with instance_locks.key_lock(sys.argv[2], within=5):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def other_worker(frontend_settings):
    """Return ``hold(key) -> process``: another process holding ``key``'s lock until killed."""
    started: list[subprocess.Popen] = []

    def hold(key: str) -> subprocess.Popen:
        folder = str(frontend_settings.FRONTEND_CACHE_DIR)
        process = subprocess.Popen(
            [PYTHON, "-c", HOLDER, folder, key], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        started.append(process)
        assert process.stdout.readline().strip() == "held"
        return process

    yield hold
    for process in started:
        process.kill()
        process.wait()


def test_a_key_held_by_another_worker_waits_at_most_the_time_allowed(other_worker):
    other_worker("board:global:0:25")

    started = time.monotonic()
    with pytest.raises(LockBusy), instance_locks.key_lock("board:global:0:25", within=0.3):
        pass

    assert 0.3 <= time.monotonic() - started < 2.0


def test_a_worker_killed_while_holding_a_key_leaves_it_free(other_worker):
    holder = other_worker("player:global:someone")

    holder.send_signal(signal.SIGKILL)
    holder.wait()

    with instance_locks.key_lock("player:global:someone", within=1.0):
        pass  # no LockBusy: the kernel let go of the dead process's lock


def test_other_keys_are_not_held_up_by_a_held_one(other_worker):
    other_worker("board:global:0:25")

    with instance_locks.key_lock("board:global:25:25", within=0):
        pass


def test_threads_of_one_worker_take_turns_too(frontend_settings):
    inside = []

    def take_the_lock():
        with instance_locks.key_lock("board:global:0:25", within=5):
            inside.append(+1)
            time.sleep(0.05)
            assert sum(inside) == 1, "two threads held the lock at once"
            inside.append(-1)

    threads = [threading.Thread(target=take_the_lock) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(inside) == 8


def test_no_more_backend_slots_are_held_at_once_than_the_instance_has(frontend_settings):
    frontend_settings.FRONTEND_BACKEND_CONCURRENCY = 2

    with instance_locks.backend_slot(within=0), instance_locks.backend_slot(within=0):
        started = time.monotonic()
        with pytest.raises(LockBusy), instance_locks.backend_slot(within=0.05):
            pass
        took = time.monotonic() - started

    assert took < 1.0
    with instance_locks.backend_slot(within=0):
        pass  # free again once the calls are done
