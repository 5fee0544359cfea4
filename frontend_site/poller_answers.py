"""SnapshotPageCache's kept pages, answered in gunicorn's poller (common/quick_answers.py).

An open page asks for its part every few seconds (static/board/refresh.js); a thousand of them
cost a thread hand-off, gunicorn's parser and Django's request cycle each time, to hand out a
304 or a body kept in memory. Here such a repeat is answered from the raw request in the
worker's main thread instead, with the same bytes SnapshotPageCache would give, its request
log line and its X-Request-ID.

Only a request that matches, byte for byte, one that Django itself answered with the kept page
(the request target, the Host header and X-Forwarded-Proto, which with the method make the
page cache's key: the host was checked against ALLOWED_HOSTS and the scheme worked out then) is
answered here, and only a plain one: HTTP/1.1, a GET, no body, no Connection but keep-alive, no
Upgrade, no X-Request-ID of its own (whether to believe it depends on who sent it). Anything
else goes the usual way.
"""

from __future__ import annotations

import logging
import time
import uuid
from email.utils import formatdate
from http import HTTPStatus

from common.logging import REQUEST_LINE, REQUEST_LOGGER
from common.middleware import REQUEST_ID_HEADER
from frontend_site import cors

logger = logging.getLogger(REQUEST_LOGGER)

# The middleware above SnapshotPageCache (settings.MIDDLEWARE), and why an answer given here
# is the same as theirs: each must be mirrored here or its paths left to Django. A test holds
# this list equal to the settings', so one added above the page cache is looked at here first.
ABOVE_THE_PAGE_CACHE = {
    "common.middleware.HeadWithoutBodyMiddleware": "HEAD only; a GET is answered here",
    "common.middleware.RequestLogMiddleware": "its X-Request-ID and log line, made here too",
    "common.middleware.HealthCheckMiddleware": "/healthz and /readyz, never kept",
    "common.middleware.OverloadMiddleware": "requests that waited for a thread; none do here",
    "frontend_site.cors.DataJsonCors": "CORS headers on /data.json: left to Django",
}
LEFT_TO_DJANGO = frozenset({cors.PATH})

# Headers that send a request the usual way (lower case). Connection may only say keep-alive,
# as browsers do on HTTP/1.1.
_NOT_HERE = frozenset({"upgrade", "x-request-id", "content-length", "transfer-encoding", "expect"})
MAX_LEARNT = 4096


class _Meta:
    """The little of a request KeptPage.answer reads."""

    __slots__ = ("META",)

    def __init__(self, meta: dict[str, str]):
        self.META = meta


class PollerAnswers:
    """What SnapshotPageCache keeps, by the raw request that Django answered with it."""

    def __init__(self, pages: dict):
        self.pages = pages  # the page cache's: key -> KeptPage
        self.learnt: dict[tuple[bytes, bytes, bytes], tuple] = {}
        self._date = (0, b"")

    def learn(self, request, key: tuple) -> None:
        """Remember that ``request``, a GET answered by Django, has the page cache's ``key``."""
        meta = request.META
        raw = meta.get("RAW_URI")
        if request.method != "GET" or not raw or request.path_info in LEFT_TO_DJANGO:
            return
        identity = (
            raw.encode("latin-1"),
            meta.get("HTTP_HOST", "").encode("latin-1"),
            meta.get("HTTP_X_FORWARDED_PROTO", "").encode("latin-1"),
        )
        if identity not in self.learnt:
            if len(self.learnt) >= MAX_LEARNT:
                self.learnt.clear()
            self.learnt[identity] = key

    def answer(self, request: bytes) -> bytes | None:
        """The whole response to ``request`` if it is a plain repeat of a kept, fresh page."""
        started = time.perf_counter()
        head = request.decode("latin-1").split("\r\n")
        method, _, rest = head[0].partition(" ")
        target, _, version = rest.partition(" ")
        if method != "GET" or version != "HTTP/1.1":
            return None
        headers: dict[str, str] = {}
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                value = value.strip()
                if name in _NOT_HERE or name in headers:
                    return None
                if name == "connection" and value.lower() != "keep-alive":
                    return None
                headers[name] = value
        identity = (
            target.encode("latin-1"),
            headers.get("host", "").encode("latin-1"),
            headers.get("x-forwarded-proto", "").encode("latin-1"),
        )
        key = self.learnt.get(identity)
        page = self.pages.get(key) if key is not None else None
        if page is None or page.fresh_until <= time.monotonic():
            return None
        meta = {
            "HTTP_IF_NONE_MATCH": headers.get("if-none-match", ""),
            "HTTP_ACCEPT_ENCODING": headers.get("accept-encoding", ""),
        }
        response = page.answer(_Meta(meta))
        request_id = uuid.uuid4().hex
        response[REQUEST_ID_HEADER] = request_id
        status = response.status_code
        raw = b"".join(
            (
                b"HTTP/1.1 %d %s\r\n" % (status, HTTPStatus(status).phrase.encode()),
                b"Date: " + self._now() + b"\r\n",
                response.serialize_headers(),
                b"\r\n\r\n",
                response.content,
            )
        )
        logger.info(
            REQUEST_LINE, method, target, status, (time.perf_counter() - started) * 1000, request_id
        )
        return raw

    def _now(self) -> bytes:
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, formatdate(second, usegmt=True).encode())
        return self._date[1]
