"""Hostile traffic against gunicorn as the sites run it (gunicorn.conf.py, our worker):
slow clients hold sockets, never threads, and are closed after HEADER_TIMEOUT_SECONDS;
overload is shed at once, never run late; the admin has threads of its own.

The worker's own behaviour is shown on a tiny WSGI application whose requests take exactly
as long as they are told (tests/common/timed_app.py); the sites' answers to an overloaded
request are in tests/common/test_middleware.py, and the drill against both real sites is
at the end.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from bench.hostile import SLOW_BODY, SLOW_HEAD, Tricklers, flood, get, p99, probe
from common.local_servers import GunicornSite

pytestmark = pytest.mark.served  # starts processes of its own: not in TEST_TIER=fast

HEADER_TIMEOUT = 2.0


@pytest.fixture
def timed_site(tmp_path):
    """The timed app under gunicorn: 2 workers of 4 threads, with the knobs a test sets."""
    sites = []

    def start(**env: str) -> GunicornSite:
        values = {
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "4",
            "HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
            "BODY_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
            **env,
        }
        site = GunicornSite("tests.common.timed_app", values, tmp_path / f"g{len(sites)}.log")
        site.start()
        sites.append(site)
        return site

    yield start
    for site in sites:
        site.stop()


def test_two_hundred_slow_headers_leave_the_site_answering_everyone_else(timed_site):
    site = timed_site()

    with Tricklers(site.port, count=200, interval=0.5, request=SLOW_HEAD) as slow:
        time.sleep(0.5)
        answers = probe(f"{site.url}/sleep?ms=5", count=20, every=0.05)

    assert slow.opened >= 200
    assert [a.status for a in answers] == [200] * 20
    assert p99([a.seconds for a in answers]) < 1.0


def test_two_hundred_slow_bodies_leave_the_site_answering_everyone_else(timed_site):
    site = timed_site()
    head = SLOW_BODY.index(b"\r\n\r\n") + 4

    with Tricklers(site.port, count=200, interval=0.5, request=SLOW_BODY, at_once=head):
        time.sleep(0.5)
        answers = probe(f"{site.url}/sleep?ms=5", count=20, every=0.05)

    assert [a.status for a in answers] == [200] * 20
    assert p99([a.seconds for a in answers]) < 1.0


def test_a_head_not_in_within_the_header_timeout_is_answered_408_and_closed(timed_site):
    site = timed_site()
    with socket.create_connection(("127.0.0.1", site.port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        sock.settimeout(HEADER_TIMEOUT + 5)
        started = time.monotonic()
        answer = sock.recv(65536)
        closed = sock.recv(65536)
        waited = time.monotonic() - started

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"request_timeout"' in answer
    assert closed == b""
    assert HEADER_TIMEOUT - 0.5 < waited < HEADER_TIMEOUT + 2.0


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(timed_site):
    site = timed_site()
    with socket.create_connection(("127.0.0.1", site.port)) as sock:
        sock.settimeout(HEADER_TIMEOUT + 5)
        started = time.monotonic()
        closed = sock.recv(65536)

    assert closed == b""
    assert time.monotonic() - started < HEADER_TIMEOUT + 2.0


@pytest.mark.parametrize(
    ("headers", "url_tail", "status", "code"),
    [
        ({}, "?q=" + "9" * 5000, 414, "uri_too_long"),  # limit_request_line: 4094 bytes
        ({"X-Big": "x" * 9000}, "", 431, "headers_too_large"),  # limit_request_field_size
        ({f"X-{n}": "1" for n in range(101)}, "", 431, "headers_too_large"),  # 100 fields
    ],
    ids=["long request line", "large header", "many headers"],
)
def test_what_gunicorns_parser_refuses_is_a_json_error_or_a_page_for_a_browser(
    timed_site, headers, url_tail, status, code
):
    # Refused before the application runs: gunicorn would answer with an HTML page of its own.
    site = timed_site()
    url = f"{site.url}/healthz{url_tail}"

    answer = requests.get(url, headers=headers, timeout=5)
    page = requests.get(url, headers={**headers, "Accept": "text/html"}, timeout=5)

    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {"error": {"code": code, "message": answer.json()["error"]["message"]}}
    assert "Retry-After" not in answer.headers  # the same request will never do
    assert page.status_code == status
    assert page.headers["Content-Type"].startswith("text/html")


def test_a_malformed_request_is_a_json_400(timed_site):
    site = timed_site()
    with socket.create_connection(("127.0.0.1", site.port)) as sock:
        sock.sendall(b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n")
        sock.settimeout(5)
        answer = sock.recv(65536)

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"Content-Type: application/json" in head
    assert b'"code":"bad_request"' in body


def test_a_request_trickled_on_a_kept_alive_connection_holds_no_thread(timed_site):
    site = timed_site(WEB_CONCURRENCY="1", GUNICORN_THREADS="1")
    kept = []
    for _ in range(8):  # more than the one thread: each sends its second request slowly
        sock = socket.create_connection(("127.0.0.1", site.port))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /sleep?ms=1 HTTP/1.1\r\nHost: x\r\n")  # the rest never comes
        kept.append(sock)

    answer = get(f"{site.url}/sleep?ms=1", timeout=5)

    for sock in kept:
        sock.close()
    assert answer.status == 200
    assert answer.seconds < 1.0


def test_a_body_sent_in_pieces_and_with_expect_100_continue_arrives_whole(timed_site):
    site = timed_site()
    body = b"y" * 50_000
    with socket.create_connection(("127.0.0.1", site.port)) as sock:
        sock.settimeout(10)
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue")
        for start in range(0, len(body), 10_000):
            sock.sendall(body[start : start + 10_000])
            time.sleep(0.05)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk

    assert b"HTTP/1.1 200 OK" in answer
    assert b"\r\n50000\r\n" in answer
    chunked = requests.post(f"{site.url}/echo", data=iter([b"ab", b"cde"]), timeout=5)
    assert chunked.text == "5"


def test_overload_is_shed_at_once_and_what_is_accepted_is_not_run_late(timed_site):
    # 1 worker of 2 threads at 100 ms a request: 20 a second. 60 clients ask at once.
    site = timed_site(WEB_CONCURRENCY="1", GUNICORN_THREADS="2", QUEUE_DEADLINE_MS="500")
    for _ in range(10):  # the worker learns how long a request takes
        get(f"{site.url}/sleep?ms=100")

    answers = flood(f"{site.url}/sleep?ms=100", requests_total=240, clients=60)

    served = [a for a in answers if a.status == 200]
    shed = [a for a in answers if a.status == 503]
    assert len(served) + len(shed) == len(answers), {a.status for a in answers}
    assert len(shed) > len(answers) / 3
    assert all(a.retry_after == "1" for a in shed)
    # Accepted: at most the deadline in the queue, plus the request, plus a loaded machine.
    assert p99([a.seconds for a in served]) < 0.5 + 0.1 + 0.6
    # Refused: most of them before any thread could have taken them.
    quick = [a for a in shed if a.seconds < 0.1]
    assert len(quick) > len(shed) / 2, sorted(round(a.seconds, 3) for a in shed)
    # And once the flood stops, a request is answered as before.
    time.sleep(0.5)
    assert get(f"{site.url}/sleep?ms=1").seconds < 0.5


def probe_while_flooded(site, flooded: str, probed: str, *, total: int, clients: int):
    """Ten GETs of ``probed`` while ``clients`` at a time send ``total`` GETs of ``flooded``."""
    busy = threading.Thread(
        target=flood,
        args=(f"{site.url}{flooded}",),
        kwargs={"requests_total": total, "clients": clients},
    )
    busy.start()
    time.sleep(0.3)
    answers = probe(f"{site.url}{probed}", count=10, every=0.05)
    busy.join()
    return answers


def test_the_health_check_is_never_shed(timed_site):
    site = timed_site(WEB_CONCURRENCY="1", GUNICORN_THREADS="1", QUEUE_DEADLINE_MS="200")
    for _ in range(5):
        get(f"{site.url}/sleep?ms=100")

    checks = probe_while_flooded(site, "/sleep?ms=100", "/healthz", total=100, clients=20)

    assert [a.status for a in checks] == [200] * 10


def test_the_admin_has_threads_of_its_own(timed_site):
    site = timed_site(WEB_CONCURRENCY="1", GUNICORN_THREADS="2", ADMIN_THREADS="1")

    answers = probe_while_flooded(site, "/admin/sleep?ms=300", "/sleep?ms=5", total=12, clients=6)

    assert [a.status for a in answers] == [200] * 10
    assert max(a.seconds for a in answers) < 0.25
