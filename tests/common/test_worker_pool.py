"""The worker's guess of how long a queued request would wait (common/gunicorn_worker.Pool),
which decides what is shed: each queued request counts at the recent time of its own kind."""

from __future__ import annotations

from common.gunicorn_worker import Pool
from common.http_framing import scan

BATCH = b"POST /api/v1/scores/batch"
SUBMISSION = b"POST /api/v1/leaderboards/global"


def test_a_request_kind_is_its_method_and_the_start_of_its_path():
    head = scan(b"POST /api/v1/leaderboards/global/scores?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
    assert head.kind == SUBMISSION
    assert scan(b"POST /api/v1/scores/batch HTTP/1.1\r\n\r\n").kind == BATCH


def test_quick_requests_after_slow_batches_are_not_guessed_slow():
    pool = Pool(threads=4)
    try:
        for _ in range(20):
            pool.took(1.4, BATCH)  # a burst of slow batches, now over
        for _ in range(20):
            pool.took(0.05, SUBMISSION)
        costs = [pool.queued(SUBMISSION) for _ in range(8)]
        assert pool.expected_wait() < 0.25  # 8 submissions of ~50 ms over 4 threads
        for cost in costs:
            pool.started(0.0, cost)
        assert (pool.waiting, pool.queued_seconds) == (0, 0.0)
    finally:
        pool.executor.shutdown()


def test_slow_requests_waiting_ahead_make_the_wait_long():
    pool = Pool(threads=4)
    try:
        pool.took(1.4, BATCH)
        pool.took(0.05, SUBMISSION)
        for _ in range(4):
            pool.queued(BATCH)
        pool.queued(SUBMISSION)
        assert pool.expected_wait() > 1.0  # four batches ahead: over the 1 s deadline
    finally:
        pool.executor.shutdown()


def test_an_unseen_kind_counts_at_any_requests_recent_time():
    pool = Pool(threads=1)
    try:
        pool.took(0.2, BATCH)
        assert pool.cost_of(b"GET /new") == pool.seconds_per_request
    finally:
        pool.executor.shutdown()


def test_the_kinds_remembered_are_bounded():
    pool = Pool(threads=1)
    try:
        for n in range(Pool.KINDS_MAX + 10):
            pool.took(0.01, f"GET /{n}".encode())
        assert len(pool.seconds_by_kind) == Pool.KINDS_MAX
    finally:
        pool.executor.shutdown()
