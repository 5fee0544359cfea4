"""common.logging: batched request lines, warnings at once, nothing lost; text or JSON lines,
each naming the request it belongs to."""

import io
import logging
import os
import re
import subprocess
import time
from datetime import UTC, datetime

import orjson
import pytest
import requests

from backend_site.rankings.models import Leaderboard
from common.local_servers import PYTHON, ROOT, free_port
from common.logging import BATCH_LINES, BatchedStreamHandler, JsonFormatter
from tests.fixtures.sites import SERVICE_TOKEN, Sites, backend_env

pytestmark = pytest.mark.served  # starts processes of its own: not in TEST_TIER=fast

RID = "trace-logs-42"


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
    handler.close()  # flushes, and stops its flusher thread
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


@pytest.mark.parametrize("site", ["backend_site", "frontend_site"])
def test_an_unknown_log_format_stops_the_settings_naming_the_variable(site):
    imported = subprocess.run(
        [PYTHON, "-c", f"import {site}.settings"],
        cwd=ROOT,
        env={**os.environ, "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert imported.returncode != 0
    assert "LOG_FORMAT must be one of text/json, not 'xml'." in imported.stderr


# --- What a request logs, in process ---------------------------------------------------------


def parsed(lines: list[str]) -> list[dict]:
    """Each line as the JSON object it must be."""
    return [orjson.loads(line) for line in lines]


# Each returns the request id the backend gave the request: the caller's (RID) only with a
# valid service token, its own otherwise (a caller cannot choose the id in our logs).


def refused_by_network(client, settings) -> str:
    settings.BACKEND_ALLOWED_NETWORKS = ["10.0.0.0/8"]  # the test client comes from 127.0.0.1
    response = client.get("/getdata", HTTP_X_REQUEST_ID=RID)
    assert response.status_code == 403
    return response["X-Request-ID"]


def refused_by_token(client, settings) -> str:
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    response = client.get("/getdata", HTTP_X_REQUEST_ID=RID, HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 401
    return response["X-Request-ID"]


def redis_unreachable(client, settings) -> str:
    # The backend knows its boards from the database (boards.py): the board is there.
    Leaderboard.objects.get_or_create(slug="global", defaults={"title": "Global"})
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    closed = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": closed}}
    auth = f"Bearer {SERVICE_TOKEN}"
    response = client.get("/getdata", HTTP_X_REQUEST_ID=RID, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 503
    return response["X-Request-ID"]


@pytest.mark.parametrize(
    ("make_request", "warning_logger", "warning"),
    [
        (refused_by_network, "backend_site.access", "not in BACKEND_ALLOWED_NETWORKS"),
        (refused_by_token, "backend_site.access", "missing or wrong service token"),
        (redis_unreachable, "backend_site.errors", "Redis unavailable for /getdata"),
    ],
)
def test_in_json_every_line_of_a_request_names_its_id(
    site_log, client, settings, make_request, warning_logger, warning, db
):
    read = site_log("json")

    rid = make_request(client, settings)

    lines = parsed(read())
    assert {line["request_id"] for line in lines} == {rid}, lines
    assert (rid == RID) is (make_request is redis_unreachable)  # RID only with a valid token
    warnings = [line for line in lines if line["level"] == "WARNING"]
    assert [line["logger"] for line in warnings] == [warning_logger]
    assert warning in warnings[0]["message"]
    (request_line,) = [line for line in lines if line["logger"] == "leaderboard.requests"]
    assert request_line["method"] == "GET"
    assert request_line["path"] == "/getdata"
    assert request_line["status"] in (401, 403, 503)
    assert isinstance(request_line["duration_ms"], float)


def test_a_json_line_has_the_time_in_utc_level_logger_and_message(site_log, client, settings):
    read = site_log("json")
    refused_by_token(client, settings)

    first = parsed(read())[0]

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    logged_at = datetime.fromisoformat(first["time"])
    assert abs((datetime.now(UTC) - logged_at).total_seconds()) < 60
    assert (first["level"], first["logger"]) == ("WARNING", "backend_site.access")
    assert first["message"] == "refused /getdata from 127.0.0.1: missing or wrong service token"


def test_a_line_logged_after_the_request_names_no_request(site_log, client, settings):
    read = site_log("json")
    refused_by_token(client, settings)

    logging.getLogger("backend_site").warning("between requests")

    assert parsed(read())[-1]["request_id"] is None


def test_an_exception_is_written_with_its_traceback_on_the_same_line():
    try:
        raise ValueError("broken on purpose")
    except ValueError:
        record = logging.makeLogRecord({"name": "backend_site.errors", "msg": "Unexpected"})
        record.exc_info = __import__("sys").exc_info()

    line = JsonFormatter().format(record)

    assert "\n" not in line
    exception = orjson.loads(line)["exception"]
    assert exception.startswith("Traceback (most recent call last):")
    assert exception.endswith("ValueError: broken on purpose")


def test_text_lines_stay_as_they_were_and_name_the_request_in_brackets(site_log, client, settings):
    read = site_log("text")

    rid = refused_by_token(client, settings)

    warning, request_line = read()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert re.fullmatch(
        rf"{stamp} WARNING backend_site.access \[{rid}\]: refused /getdata from 127.0.0.1: "
        "missing or wrong service token",
        warning,
    )
    assert re.fullmatch(
        rf"{stamp} INFO leaderboard.requests: GET /getdata 401 \d+\.\dms rid={rid}", request_line
    )


# --- Through gunicorn -------------------------------------------------------------------------


@pytest.fixture
def served_backend(redis_databases, tmp_path_factory):
    """Return ``start(log_format)``: a served backend (refusing callers needs no tables)."""
    sites = Sites(tmp_path_factory, "served-logs")

    def start(log_format: str):
        workdir = sites.workdir()
        env = backend_env(
            redis_databases.take_url(),
            f"sqlite:///{workdir / 'unused.sqlite3'}",
            WEB_CONCURRENCY="1",
            LOG_FORMAT=log_format,
        )
        return sites.start("backend_site.wsgi", env, workdir=workdir)

    yield start
    sites.stop_all()


def refused_over_http(site) -> str:
    response = requests.get(
        site.url + "/getdata",
        headers={"X-Request-ID": RID, "Authorization": "Bearer wrong"},
        timeout=5,
    )
    assert response.status_code == 401
    return response.headers["X-Request-ID"]


def test_a_served_site_writes_only_json_lines_gunicorn_s_own_included(served_backend):
    site = served_backend("json")
    rid = refused_over_http(site)
    site.stop()  # everything written, gunicorn's lines about stopping too

    lines = parsed(site.log().splitlines())

    messages = {line["message"] for line in lines if line["logger"] == "gunicorn.error"}
    assert {"Starting gunicorn", "Worker exiting"} <= {" ".join(m.split()[:2]) for m in messages}
    mine = [line for line in lines if line["request_id"] == rid]
    assert [(line["level"], line["logger"]) for line in mine] == [
        ("WARNING", "backend_site.access"),
        ("INFO", "leaderboard.requests"),
    ]
    assert mine[1]["status"] == 401


def test_a_served_site_in_text_keeps_gunicorn_s_lines_with_their_pid(served_backend):
    site = served_backend("text")
    rid = refused_over_http(site)
    site.stop()

    log = site.log()

    assert "Logging error" not in log
    assert re.search(r"\[\d+\] \[INFO\] Worker exiting \(pid: \d+\)", log)
    assert f"WARNING backend_site.access [{rid}]: refused /getdata" in log


def test_json_times_are_utc_to_the_millisecond_across_seconds():
    formatter = JsonFormatter()
    times = []
    for created in (1_700_000_000.999, 1_700_000_001.0, 1_700_000_001.25, 1_699_999_999.5):
        record = logging.makeLogRecord({"name": "leaderboard", "msg": "x", "created": created})
        times.append(orjson.loads(formatter.format(record))["time"])

    assert times == [
        "2023-11-14T22:13:20.999Z",
        "2023-11-14T22:13:21.000Z",
        "2023-11-14T22:13:21.250Z",
        "2023-11-14T22:13:19.500Z",
    ]


def test_a_bad_host_on_the_backend_is_one_warning_line_with_no_traceback(
    site_log, client, settings
):
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    read = site_log("json")

    response = client.get(
        "/api/v1/leaderboards",
        HTTP_HOST="evil.example",
        HTTP_AUTHORIZATION=f"Bearer {SERVICE_TOKEN}",
    )

    assert response.status_code == 400
    lines = parsed(read())
    (warning,) = [line for line in lines if line["logger"] == "django.security.DisallowedHost"]
    assert warning["level"] == "WARNING"
    assert "exception" not in warning and "stack" not in warning
