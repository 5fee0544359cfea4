"""One logging configuration for both sites: lines on stdout, as App Runner and ECS collect.

LOG_FORMAT picks plain text (the default) or one JSON object per line, for CloudWatch Logs
Insights. Every line logged while a request is handled carries its request id: the request
log middleware sets ``request_id`` (a ContextVar, so one per gunicorn thread) for the
duration of the request, and both formatters read it.

Every request logs a line, so writing it is on the hot path. Lines are written in batches
(BatchedStreamHandler): a request line reaches stdout at most FLUSH_SECONDS after it was
logged, a warning or error at once, together with the lines before it.
"""

import logging
import os
import threading
import time
from contextvars import ContextVar

import orjson

FLUSH_SECONDS = 0.5
BATCH_LINES = 64
LOG_FORMATS = ("text", "json")

# The id of the request this thread is handling, None between requests (common.middleware).
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# The request line: its logger, its format and the names of its arguments, which the JSON
# formatter turns into fields (so the text format pays nothing for them).
REQUEST_LOGGER = "leaderboard.requests"
REQUEST_LINE = "%s %s %s %.1fms rid=%s"
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "request_id")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TEXT_FORMAT_IN_REQUEST = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"

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

    def close(self) -> None:
        self._flusher_pid = 0  # its flusher thread ends (logging.config replaces handlers)
        super().close()

    def _start_flusher(self) -> None:
        self._flusher_pid = os.getpid()
        threading.Thread(target=self._flush_every, name="log-flusher", daemon=True).start()

    def _flush_every(self) -> None:
        pid = os.getpid()
        while self._flusher_pid == pid:
            time.sleep(self.flush_seconds)
            self.flush()


class TextFormatter(logging.Formatter):
    """Readable lines; a line logged while a request is handled names its id, ``[rid]``.

    The request line names its id in its own text, and keeps the plain format.
    """

    def __init__(self):
        super().__init__(TEXT_FORMAT)
        self._in_request = logging.PercentStyle(TEXT_FORMAT_IN_REQUEST)

    def formatMessage(self, record: logging.LogRecord) -> str:
        rid = request_id.get()
        if rid is None or record.msg is REQUEST_LINE:
            return self._style.format(record)
        record.request_id = rid
        return self._in_request.format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id,
    the request line's fields (method, path, status, duration_ms) and any exception text."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        if record.name == REQUEST_LOGGER and record.msg == REQUEST_LINE:
            line.update(zip(REQUEST_FIELDS, record.args, strict=True))
            line["duration_ms"] = round(line["duration_ms"], 1)  # as precise as the text line
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=str).decode()


_second = (0, "1970-01-01T00:00:00")  # the last second formatted, reused by its lines


def _utc_iso(created: float) -> str:
    global _second
    seconds = int(created)
    second = _second  # one read: another thread may swap in the next second meanwhile
    if second[0] != seconds:  # strftime is most of a line's cost; a second has many lines
        second = _second = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    return f"{second[1]}.{int((created - seconds) * 1000):03d}Z"


class ProcessFormatter(logging.Formatter):
    """A plain Formatter for formats with %(process)d (gunicorn's): with logProcesses off
    above, records carry no pid, so it is looked up for the few lines that show one."""

    def format(self, record: logging.LogRecord) -> str:
        if record.process is None:
            record.process = os.getpid()
        return super().format(record)


class OneLineWarning(logging.Filter):
    """Make a record a WARNING of one line: no traceback. For Django's report of a bad Host
    header (django.security.DisallowedHost), which anyone can send: the client gets its 400,
    and the log a line saying so, not an error with a stack per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = record.stack_info = None
        return True


FORMATTERS = {"text": TextFormatter, "json": JsonFormatter}


def logging_config(level: str, log_format: str = "text") -> dict:
    """Return a LOGGING dict that sends the app's and Django's warnings to stdout, as text
    or JSON lines (``log_format``, one of LOG_FORMATS)."""
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"()": FORMATTERS[log_format]},
        },
        "filters": {"one_line_warning": {"()": OneLineWarning}},
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
            "django.security.DisallowedHost": {
                "handlers": ["stdout"],
                "filters": ["one_line_warning"],
                "propagate": False,
            },
        },
    }
    if log_format == "json":
        # Python's warnings as JSON lines too, not bare text over several lines on stderr
        # (settings_base turns on logging.captureWarnings for this).
        config["loggers"]["py.warnings"] = {"handlers": ["stdout"], "propagate": False}
    return config
