"""SnapshotPageCache in process: what it keeps, for how long, what it never keeps, and the
coding and 304 it answers with."""

import gzip
import time

import brotli
import pytest
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.test import RequestFactory

from frontend_site import compression
from frontend_site.middleware import SnapshotPageCache


class Page:
    """A view standing in for the board views: counts calls, marks its answers fresh."""

    def __init__(self, *, seconds: float = 5.0, status: int = 200):
        self.calls = 0
        self.seconds = seconds
        self.status = status
        self.tweak = lambda response: None

    def __call__(self, request):
        self.calls += 1
        response = HttpResponse(f"page {self.calls}", status=self.status)
        response["X-Frame-Options"] = "DENY"
        if self.seconds:
            response.fresh_until = time.monotonic() + self.seconds
        self.tweak(response)
        return response


@pytest.fixture
def rf():
    return RequestFactory()


def test_a_repeat_within_the_fresh_time_gets_the_same_answer_without_the_view(rf):
    page = Page()
    cache = SnapshotPageCache(page)

    first = cache(rf.get("/?board=global&page=2"))
    second = cache(rf.get("/?board=global&page=2"))

    assert page.calls == 1
    assert (second.status_code, second.content) == (200, b"page 1")
    assert second.items() == first.items()
    # Each answer is its own object: a header set on one (the request id) stays on it.
    second["X-Request-ID"] = "b"
    assert "X-Request-ID" not in first and "X-Request-ID" not in cache(
        rf.get("/?board=global&page=2")
    )


def test_other_urls_methods_and_hosts_are_kept_apart(rf):
    page = Page()
    cache = SnapshotPageCache(page)

    cache(rf.get("/?page=1"))
    cache(rf.get("/?page=2"))
    cache(rf.head("/?page=1"))
    cache(rf.get("/?page=1", HTTP_HOST="localhost"))

    assert page.calls == 4


def test_an_answer_is_made_again_once_its_snapshot_is_no_longer_fresh(rf):
    page = Page(seconds=0.2)
    cache = SnapshotPageCache(page)

    cache(rf.get("/"))
    time.sleep(0.3)
    again = cache(rf.get("/"))

    assert (page.calls, again.content) == (2, b"page 2")


@pytest.mark.parametrize(
    "page",
    [
        Page(seconds=0),  # the view did not mark it (a stale copy, an error page)
        Page(status=404),
        Page(status=503),
    ],
    ids=["unmarked", "404", "503"],
)
def test_unmarked_and_unsuccessful_answers_are_never_kept(rf, page):
    cache = SnapshotPageCache(page)

    cache(rf.get("/"))
    cache(rf.get("/"))

    assert page.calls == 2


@pytest.mark.parametrize(
    ("tweak", "method"),
    [
        (lambda response: response.set_cookie("csrftoken", "x"), "get"),
        (lambda response: response.headers.__setitem__("Vary", "Cookie"), "get"),
        (lambda response: None, "post"),
    ],
    ids=["sets-a-cookie", "varies", "post"],
)
def test_answers_that_set_cookies_or_vary_and_posts_are_never_kept(rf, tweak, method):
    page = Page()
    page.tweak = tweak
    cache = SnapshotPageCache(page)

    cache(getattr(rf, method)("/"))
    cache(getattr(rf, method)("/"))

    assert page.calls == 2


def test_a_repeat_from_a_host_that_is_not_allowed_is_still_refused(rf):
    page = Page()
    cache = SnapshotPageCache(page)
    cache(rf.get("/"))

    with pytest.raises(DisallowedHost):
        cache(rf.get("/", HTTP_HOST="evil.example"))
    assert page.calls == 1


def test_it_keeps_at_most_max_pages(rf):
    page = Page()
    cache = SnapshotPageCache(page)
    cache.MAX_PAGES = 3

    for number in range(5):
        cache(rf.get(f"/?page={number}"))

    assert len(cache.pages) <= 3


def test_a_kept_page_is_sent_in_the_coding_asked_for_and_answers_its_etag_with_a_304(rf):
    page = Page()
    body = "<p>a row of the board</p>" * 40

    def tweak(response):
        response.content = body.encode()
        response["ETag"] = 'W/"v1"'

    page.tweak = tweak
    cache = SnapshotPageCache(page)

    plain = cache(rf.get("/"))
    brotlied = cache(rf.get("/", HTTP_ACCEPT_ENCODING="gzip, br"))
    gzipped = cache(rf.get("/", HTTP_ACCEPT_ENCODING="gzip, br;q=0"))
    not_modified = cache(rf.get("/", HTTP_IF_NONE_MATCH='"v1"', HTTP_ACCEPT_ENCODING="br"))

    assert page.calls == 1
    assert "Content-Encoding" not in plain and plain.content == body.encode()
    assert brotlied["Content-Encoding"] == "br"
    assert brotli.decompress(brotlied.content) == body.encode()
    assert gzipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(gzipped.content) == body.encode()
    assert int(gzipped["Content-Length"]) == len(gzipped.content)
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert not_modified["ETag"] == 'W/"v1"' and "Content-Encoding" not in not_modified
    for answer in (plain, brotlied, gzipped, not_modified):
        assert answer["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("", ""),
        ("identity", ""),
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("*", "br"),
        ("*;q=0, identity", ""),
    ],
)
def test_the_coding_is_brotli_then_gzip_among_those_accepted(accept, coding):
    assert compression.chosen(accept) == coding
