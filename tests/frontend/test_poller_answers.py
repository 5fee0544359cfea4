"""Kept pages answered in gunicorn's poller (frontend_site/poller_answers.py): in process, the
same answer as SnapshotPageCache's for a plain repeat of what Django answered, nothing for
anything else; served, a poll answered while the only thread is busy."""

import logging
import socket
import threading
import time

import pytest
import requests
from django.test import RequestFactory

from common import quick_answers
from frontend_site import poller_answers
from frontend_site.middleware import SnapshotPageCache
from tests.frontend.fixtures.served_sites import get
from tests.frontend.test_page_cache import Page

HOST = "testserver"


def raw(target: str = "/table/", *extra: str, version: str = "HTTP/1.1", host: str = HOST):
    lines = [f"GET {target} {version}", f"Host: {host}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def parsed(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), headers, body


@pytest.fixture
def served_once():
    """A page cache over a view whose answer for /table/ Django has given once (RAW_URI is
    what gunicorn puts in the WSGI environ); its poller answers."""
    view = Page(seconds=5.0)

    def tagged(request):
        response = view(request)
        response["ETag"] = 'W/"v1"'
        return response

    cache = SnapshotPageCache(tagged)
    first = cache(RequestFactory().get("/table/", RAW_URI="/table/", HTTP_HOST=HOST))
    return cache, first, view


def test_a_plain_repeat_gets_the_page_caches_answer_with_its_own_request_id_and_log_line(
    served_once, caplog
):
    cache, first, view = served_once

    with caplog.at_level(logging.INFO, logger="leaderboard.requests"):
        status, headers, body = parsed(cache.poller_answers.answer(raw()))

    assert (status, body) == (200, first.content)
    assert headers["ETag"] == 'W/"v1"' and headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Length"] == str(len(body))
    assert headers["Date"].endswith(" GMT")
    assert len(headers["X-Request-ID"]) == 32
    assert view.calls == 1
    line = caplog.records[-1].getMessage()
    assert line.startswith("GET /table/ 200 ") and line.endswith(headers["X-Request-ID"])


def test_a_repeat_holding_the_etag_gets_a_304_without_a_body(served_once):
    cache, _, _ = served_once
    # As Chromium asks on HTTP/1.1: Connection: keep-alive, and more headers besides.
    browser = (
        "Connection: keep-alive",
        "Accept: */*",
        "User-Agent: Mozilla/5.0",
        "Accept-Encoding: gzip, deflate, br",
    )

    status, headers, body = parsed(
        cache.poller_answers.answer(raw("/table/", *browser, 'If-None-Match: W/"v1"'))
    )

    assert (status, body) == (304, b"")
    assert headers["ETag"] == 'W/"v1"' and "Content-Length" not in headers


@pytest.mark.parametrize(
    "request_bytes",
    [
        raw("/table/?page=2"),  # a target Django has not answered
        raw(host="elsewhere.example"),  # a host Django has not checked
        raw("/table/", "X-Forwarded-Proto: https"),  # another scheme
        raw(version="HTTP/1.0"),
        raw("/table/", "Connection: close"),
        raw("/table/", "X-Request-ID: mine"),  # believed or not by who sent it
        raw("/table/", "Upgrade: h2c"),
        raw("/table/", "Host: testserver"),  # two Host headers
        b"HEAD /table/ HTTP/1.1\r\nHost: testserver\r\n\r\n",
    ],
)
def test_anything_but_a_plain_repeat_goes_the_usual_way(served_once, request_bytes):
    cache, _, _ = served_once

    assert cache.poller_answers.answer(request_bytes) is None


def test_a_page_no_longer_fresh_goes_the_usual_way(served_once):
    cache, _, _ = served_once
    for page in cache.pages.values():
        page.fresh_until = time.monotonic() - 1

    assert cache.poller_answers.answer(raw()) is None


def test_the_worker_asks_the_last_registered_page_cache_and_refuses_large_answers(served_once):
    cache, first, _ = served_once

    assert quick_answers.answer(raw()).endswith(first.content)
    for page in cache.pages.values():
        page.body.identity = b"x" * (quick_answers.MAX_ANSWER_BYTES + 1)
        page._answers.clear()
    assert quick_answers.answer(raw()) is None


def test_every_middleware_above_the_page_cache_is_accounted_for():
    from frontend_site import settings

    above = settings.MIDDLEWARE[
        : settings.MIDDLEWARE.index("frontend_site.middleware.SnapshotPageCache")
    ]

    assert above == list(poller_answers.ABOVE_THE_PAGE_CACHE)


def test_data_json_is_left_to_django_for_its_cors_headers():
    view = Page(seconds=5.0)
    cache = SnapshotPageCache(view)
    cache(RequestFactory().get("/data.json", RAW_URI="/data.json", HTTP_HOST=HOST))

    assert len(cache.pages) == 1
    assert cache.poller_answers.answer(raw("/data.json")) is None


@pytest.mark.served
def test_a_poll_is_answered_at_once_while_the_only_thread_waits_for_the_backend(
    counting_backend, make_frontend
):
    backend = counting_backend(1.0)
    frontend = make_frontend(
        backend.url,
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="1",
        FRONTEND_CACHE_SECONDS="600",
        BACKEND_READ_TIMEOUT="3",
    )
    kept = get(frontend, "/table/")  # Django answers it once (two slow calls), and keeps it
    assert kept.status_code == 200
    slow = threading.Thread(target=get, args=(frontend, "/players/slowpoke/"), daemon=True)
    slow.start()
    time.sleep(0.3)  # the only thread now waits for the backend

    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", frontend.port), timeout=5) as conn:
        conn.sendall(
            raw(
                "/table/",
                "Connection: keep-alive",
                "Accept-Encoding: gzip, deflate, br",
                f"If-None-Match: {kept.headers['ETag']}",
                host=f"127.0.0.1:{frontend.port}",
            )
        )
        answer = conn.recv(65536)
    took = time.monotonic() - started

    assert answer.startswith(b"HTTP/1.1 304 "), answer[:200]
    assert took < 0.5, f"the poll took {took:.2f}s"
    assert slow.is_alive()  # the thread was still taken
    slow.join(timeout=10)
    assert requests.get(frontend.url + "/table/", timeout=5).status_code == 200
    assert "GET /table/ 304" in frontend.log()
