"""common.logging.BatchedStreamHandler: batched request lines, warnings at once, nothing lost."""

import io
import logging
import time

import pytest

from common.logging import BATCH_LINES, BatchedStreamHandler


class Stream(io.StringIO):
    """Counts writes, as the system calls they would be on stdout."""

    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, text):
        self.writes += 1
        return super().write(text)


@pytest.fixture
def logged():
    stream = Stream()
    handler = BatchedStreamHandler(stream, flush_seconds=30)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"test.batched.{id(stream)}")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    handler.flush()
    handler._flusher_pid = 0  # stops its flusher thread
    logger.removeHandler(handler)


def test_info_lines_wait_and_go_out_together(logged):
    logger, stream = logged
    for number in range(BATCH_LINES - 1):
        logger.info("GET /%d", number)
    assert stream.getvalue() == ""

    logger.info("GET /last")

    lines = stream.getvalue().splitlines()
    assert lines == [f"INFO GET /{n}" for n in range(BATCH_LINES - 1)] + ["INFO GET /last"]
    assert stream.writes == 1


def test_a_warning_goes_out_at_once_after_the_lines_before_it(logged):
    logger, stream = logged
    logger.info("GET /a")
    logger.warning("refused /b")

    assert stream.getvalue().splitlines() == ["INFO GET /a", "WARNING refused /b"]


def test_waiting_lines_are_written_within_the_flush_time(logged):
    logger, stream = logged
    logger.handlers[0].flush_seconds = 0.2  # before the first line starts the flusher
    logger.info("GET /quiet")

    deadline = time.monotonic() + 2
    while stream.getvalue() == "" and time.monotonic() < deadline:
        time.sleep(0.05)

    assert stream.getvalue() == "INFO GET /quiet\n"


def test_flush_writes_what_waits(logged):
    logger, stream = logged
    logger.info("GET /exit")
    logger.handlers[0].flush()  # what logging.shutdown() does at exit

    assert stream.getvalue() == "INFO GET /exit\n"
