"""The public site's own middleware: the content security policy header, and repeat page
views answered from memory while their snapshot is fresh."""

import time

from django.conf import settings
from django.http import HttpResponse
from django.http.response import ResponseHeaders


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
    """Answer a repeated page view with the bytes already made for it, while they are fresh.

    A public page depends only on its URL and on a backend snapshot that stays fresh for
    FRONTEND_CACHE_SECONDS, so within that time every visitor gets the same bytes. A view
    marks such a response with ``fresh_until`` (the snapshot's time.monotonic() deadline);
    this middleware keeps it in this process's memory, keyed by method, scheme, host and full
    path, and answers repeats before the middleware below it and the URL resolver run.

    It sits below the request log, so each answer still has its own request id and log line,
    and it keeps the response as the middleware below it left it (security headers, content
    security policy), so a repeat is the same answer. The host is still checked on every
    request (DisallowedHost gives a 400 as before). Responses that set a cookie, vary, or are
    not a 200 are never kept.
    """

    MAX_PAGES = 1024

    def __init__(self, get_response):
        self.get_response = get_response
        # key -> (fresh_until, content type, headers, body)
        self.pages: dict[tuple, tuple[float, list[tuple[str, str]], bytes]] = {}

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        key = (request.method, request.scheme, request.get_host(), request.get_full_path())
        page = self.pages.get(key)
        if page is not None and page[0] > time.monotonic():
            response = HttpResponse(page[2])
            response.headers = ResponseHeaders(dict(page[1]))
            return response
        response = self.get_response(request)
        fresh_until = getattr(response, "fresh_until", 0.0)
        if (
            fresh_until > time.monotonic()
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Vary")
        ):
            self._keep(key, (fresh_until, list(response.items()), response.content))
        return response

    def _keep(self, key: tuple, page: tuple) -> None:
        if len(self.pages) >= self.MAX_PAGES:
            now = time.monotonic()
            for old in [k for k, kept in list(self.pages.items()) if kept[0] <= now]:
                self.pages.pop(old, None)
            if len(self.pages) >= self.MAX_PAGES:
                self.pages.clear()
        self.pages[key] = page
