"""The public site's own middleware: the content security policy header, and repeat page
views answered from memory while their snapshot is fresh (with 304s and compression)."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.http.response import ResponseHeaders
from django.utils.cache import patch_vary_headers

from common import quick_answers
from frontend_site import compression
from frontend_site.poller_answers import PollerAnswers


class ContentSecurityPolicyMiddleware:
    """Send CONTENT_SECURITY_POLICY on every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        # Django's debug error pages use inline styles and scripts; keep them readable.
        if settings.DEBUG and response.status_code >= 400:
            return response
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class SnapshotPageCache:
    """Answer a repeated page view with the bytes already made for it, while they are fresh;
    answer If-None-Match with a 304, and compress pages and JSON for the clients that ask.

    A public page depends only on its URL and on a backend snapshot that stays fresh for
    FRONTEND_CACHE_SECONDS, so within that time every visitor gets the same bytes. A view
    marks such a response with ``fresh_until`` (the snapshot's time.monotonic() deadline);
    this middleware keeps it in this process's memory, keyed by method, scheme, host and full
    path, and answers repeats before the middleware below it and the URL resolver run: a 304
    when the visitor already has its ETag, else the body in the coding the visitor accepts
    (frontend_site/compression.py), each coding compressed once per kept body.

    It sits below the request log, so each answer still has its own request id and log line,
    and it keeps the response as the middleware below it left it (security headers, content
    security policy), so a repeat is the same answer. The host is still checked on every
    request (DisallowedHost gives a 400 as before). Responses that set a cookie, vary, or are
    not a 200 are never kept; what it does not keep (an old copy, an error page) still gets its
    304 and its compression here, on the way out.
    """

    MAX_PAGES = 1024

    def __init__(self, get_response):
        self.get_response = get_response
        self.pages: dict[tuple, KeptPage] = {}
        # Plain repeats of kept pages are answered in gunicorn's poller, without a thread.
        self.poller_answers = PollerAnswers(self.pages)
        quick_answers.register(self.poller_answers.answer)

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        key = (request.method, request.scheme, request.get_host(), request.get_full_path())
        page = self.pages.get(key)
        if page is not None and page.fresh_until > time.monotonic():
            self.poller_answers.learn(request, key)
            return page.answer(request)
        response = self.get_response(request)
        fresh_until = getattr(response, "fresh_until", 0.0)
        if (
            fresh_until > time.monotonic()
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Vary")
        ):
            page = KeptPage(fresh_until, response)
            self._keep(key, page)
            self.poller_answers.learn(request, key)
            return page.answer(request)
        return _conditional_and_compressed(request, response)

    def _keep(self, key: tuple, page: KeptPage) -> None:
        if len(self.pages) >= self.MAX_PAGES:
            now = time.monotonic()
            for old in [k for k, kept in list(self.pages.items()) if kept.fresh_until <= now]:
                self.pages.pop(old, None)
            if len(self.pages) >= self.MAX_PAGES:
                self.pages.clear()
        self.pages[key] = page


# Not sent with a 304, which has no body (RFC 9110 15.4.5 lists what it must repeat: ETag,
# Cache-Control, Vary among them; the rest of the 200's headers do no harm).
_BODY_HEADERS = frozenset({"content-length", "content-type", "content-encoding"})


class KeptPage:
    """A response kept by SnapshotPageCache: its headers, its body and compressed copies, and
    the headers of each answer it gives (a 304, or the body in one coding), made once."""

    __slots__ = ("_answers", "body", "compress", "fresh_until", "headers")

    def __init__(self, fresh_until: float, response: HttpResponse):
        self.fresh_until = fresh_until
        self.body = _body_of(response)
        self.compress = compression.compressible(response)
        if self.compress:
            patch_vary_headers(response, ("Accept-Encoding",))
        self.headers = list(response.items())
        # coding (or None for the 304) -> (status, body, headers)
        self._answers: dict[str | None, tuple[int, bytes, ResponseHeaders]] = {}

    def answer(self, request) -> HttpResponse:
        if self.body.etag and _matches(request.META.get("HTTP_IF_NONE_MATCH"), self.body.etag):
            coding = None
        elif self.compress:
            coding = self.body.coding_for(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        else:
            coding = compression.IDENTITY
        answer = self._answers.get(coding)
        if answer is None:
            answer = self._answers[coding] = self._made(coding)
        status, body, headers = answer
        response = HttpResponse(body, status=status)
        # A copy of the headers checked once (ResponseHeaders checks and encodes each header
        # as it is set: a fifth of a 304's time through the whole stack, done again for nothing).
        response.headers._store = headers._store.copy()
        return response

    def _made(self, coding: str | None) -> tuple[int, bytes, ResponseHeaders]:
        if coding is None:
            headers = {k: v for k, v in self.headers if k.lower() not in _BODY_HEADERS}
            return 304, b"", ResponseHeaders(headers)
        body = self.body.coded(coding)
        headers = dict(self.headers)
        headers["Content-Length"] = str(len(body))
        if coding:
            headers["Content-Encoding"] = coding
        return 200, body, ResponseHeaders(headers)


def _body_of(response: HttpResponse) -> compression.Body:
    """The view's rendered Body of ``response`` (shared by every URL showing it), else one of
    its own."""
    body = getattr(response, "page_body", None)
    if body is None:
        body = compression.Body(response.content, response.get("ETag", ""))
    return body


def _conditional_and_compressed(request, response: HttpResponse) -> HttpResponse:
    """What the page cache does not keep: a 304 if the visitor has its ETag, else the body
    compressed as the visitor asks."""
    etag = response.get("ETag", "")
    if (
        etag
        and response.status_code == 200
        and _matches(request.META.get("HTTP_IF_NONE_MATCH"), etag)
    ):
        not_modified = HttpResponseNotModified()
        for header, value in response.items():
            if header.lower() not in _BODY_HEADERS:
                not_modified[header] = value
        if compression.compressible(response):
            patch_vary_headers(not_modified, ("Accept-Encoding",))
        return not_modified
    if not compression.compressible(response):
        return response
    patch_vary_headers(response, ("Accept-Encoding",))
    body = _body_of(response)
    coding = body.coding_for(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if coding:
        response.content = body.coded(coding)
        response["Content-Encoding"] = coding
        response["Content-Length"] = str(len(response.content))
    return response


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag``, compared weakly (RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))
