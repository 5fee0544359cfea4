"""common.middleware in process: health checks whatever the host, one request line with its id."""

import json
import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from common.logging import request_id as logging_request_id
from common.middleware import HealthCheckMiddleware, RequestLogMiddleware, request_id_from


@pytest.fixture
def rf():
    return RequestFactory()


def never(request):
    raise AssertionError("the health check must answer before the rest of the site")


def test_healthz_answers_ok_before_anything_else(rf):
    response = HealthCheckMiddleware(never)(rf.get("/healthz", HTTP_HOST="checker.internal"))
    assert (response.status_code, response.content) == (200, b'{"status": "ok"}')


def test_readyz_names_what_is_down(rf, settings):
    settings.READINESS_CHECK = "tests.common.test_middleware.redis_is_down"
    response = HealthCheckMiddleware(never)(rf.get("/readyz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "failed": ["redis"]}


def redis_is_down() -> list[str]:
    return ["redis"]


def test_other_paths_go_through(rf):
    response = HealthCheckMiddleware(lambda request: HttpResponse("page"))(rf.get("/"))
    assert response.content == b"page"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("trace-me-42", True),
        ("a.b_c-D", True),
        ("", False),
        ("x" * 65, False),
        ("has space", False),
        ("new\nline", False),
        ("trailing-newline\n", False),
        ("ünïcode", False),
    ],
)
def test_a_request_id_is_kept_only_when_well_formed(rf, given, kept):
    request = rf.get("/", HTTP_X_REQUEST_ID=given)
    request_id = request_id_from(request)
    if kept:
        assert request_id == given
    else:
        assert request_id != given and len(request_id) == 32


def test_each_request_is_logged_once_with_its_id_and_answers_with_it(rf, caplog, settings):
    settings.REQUEST_ID_TRUSTED_FROM = ""  # every caller's id believed (a site names whose)
    middleware = RequestLogMiddleware(lambda request: HttpResponse(status=201))
    with caplog.at_level(logging.INFO, logger="leaderboard.requests"):
        response = middleware(rf.get("/api/v1/leaderboards?x=1", HTTP_X_REQUEST_ID="rid-7"))

    assert response["X-Request-ID"] == "rid-7"
    (line,) = [r.getMessage() for r in caplog.records if r.name == "leaderboard.requests"]
    assert line.startswith("GET /api/v1/leaderboards?x=1 201 ")
    assert line.endswith("ms rid=rid-7")


def test_lines_logged_while_a_request_is_handled_know_its_id(rf, settings):
    settings.REQUEST_ID_TRUSTED_FROM = ""
    seen = []

    def view(request):
        seen.append(logging_request_id.get())
        return HttpResponse()

    RequestLogMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="rid-8"))

    assert seen == ["rid-8"]
    assert logging_request_id.get() == "rid-8"  # Django still logs 5xx after the middleware
    logging_request_id.set(None)


def test_the_id_is_forgotten_once_the_response_is_closed(client, settings):
    settings.BACKEND_SERVICE_TOKENS = ["a-token"]  # with a valid one its id is believed
    response = client.get(  # closed, as a server does
        "/healthz", HTTP_X_REQUEST_ID="rid-9", HTTP_AUTHORIZATION="Bearer a-token"
    )

    assert response["X-Request-ID"] == "rid-9"
    assert logging_request_id.get() is None
