"""One logging configuration for both sites: plain lines on stdout, as App Runner collects.

Every request logs a line, so writing it is on the hot path. Lines are written in batches
(BatchedStreamHandler): a request line reaches stdout at most FLUSH_SECONDS after it was
logged, a warning or error at once, together with the lines before it.
"""

import logging
import os
import threading
import time

FLUSH_SECONDS = 0.5
BATCH_LINES = 64

# Our formats use no source location, thread or process fields, so the logging module need
# not look them up for every record (Python's logging HOWTO, "Optimization").
logging._srcfile = None
logging.logThreads = False
logging.logProcesses = False
logging.logMultiprocessing = False


class BatchedStreamHandler(logging.StreamHandler):
    """A StreamHandler that writes many lines per system call instead of one each.

    Lines below WARNING wait in memory until BATCH_LINES have gathered, a WARNING or worse
    arrives, or FLUSH_SECONDS have passed (a daemon thread flushes them). A process killed
    with SIGKILL loses at most that last half second of request lines; a normal exit
    flushes them (logging.shutdown).
    """

    def __init__(self, stream=None, flush_seconds: float = FLUSH_SECONDS):
        super().__init__(stream)
        self.flush_seconds = flush_seconds
        self.pending: list[str] = []
        self._flusher_pid = 0

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle() holds self.lock around emit().
        try:
            self.pending.append(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)
            return
        if record.levelno >= logging.WARNING or len(self.pending) >= BATCH_LINES:
            self.flush()
        elif self._flusher_pid != os.getpid():  # none yet in this process (or forked since)
            self._start_flusher()

    def flush(self) -> None:
        with self.lock:
            if self.pending:
                lines, self.pending = "".join(self.pending), []
                try:
                    self.stream.write(lines)
                except (OSError, ValueError):  # stdout closed or gone: nowhere left to say so
                    return
            super().flush()

    def _start_flusher(self) -> None:
        self._flusher_pid = os.getpid()
        threading.Thread(target=self._flush_every, name="log-flusher", daemon=True).start()

    def _flush_every(self) -> None:
        pid = os.getpid()
        while self._flusher_pid == pid:
            time.sleep(self.flush_seconds)
            self.flush()


def logging_config(level: str) -> dict:
    """Return a LOGGING dict that sends the app's and Django's warnings to stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "stdout": {
                "class": "common.logging.BatchedStreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "plain",
            },
        },
        "root": {"handlers": ["stdout"], "level": "WARNING"},
        "loggers": {
            "leaderboard": {"handlers": ["stdout"], "level": level, "propagate": False},
            "backend_site": {"handlers": ["stdout"], "level": level, "propagate": False},
            "frontend_site": {"handlers": ["stdout"], "level": level, "propagate": False},
            # Django logs 4xx/5xx itself; our request line already says it.
            "django.request": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
            "django.server": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
        },
    }
