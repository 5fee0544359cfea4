"""Middleware both sites run: health checks that ignore Host, and one log line per request."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.core.signals import request_finished
from django.http import JsonResponse
from django.utils.module_loading import import_string

from common.logging import REQUEST_LINE, REQUEST_LOGGER, request_id
from common.overload import OVERLOADED_ENVIRON, backend_calls_allowed

logger = logging.getLogger(REQUEST_LOGGER)

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_META = "HTTP_X_REQUEST_ID"
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from(request) -> str:
    """Return the caller's request id when it is well formed, else a new one."""
    # META, not request.headers: building that mapping costs more than the rest of this.
    given = request.META.get(_REQUEST_ID_META, "")
    # fullmatch: "$" would let a trailing newline through, into our response header.
    return given if _REQUEST_ID_RE.fullmatch(given) else uuid.uuid4().hex


def _trust_everyone(request) -> bool:
    return True


class HealthCheckMiddleware:
    """Answer /healthz (and /readyz, where the site defines a readiness check) first.

    It sits above Django's host validation so a load balancer's checker gets an answer
    whatever Host header it sends, and it reveals nothing but the status.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        check_path = getattr(settings, "READINESS_CHECK", "")
        self.readiness_check = import_string(check_path) if check_path else None

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz" and self.readiness_check is not None:
            failed = self.readiness_check()
            if failed:
                return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
            return JsonResponse({"status": "ok"})
        return self.get_response(request)


class OverloadMiddleware:
    """Answer at once a request the server marked overloaded (common/overload.py).

    With OVERLOAD_ANSWER = "refuse" (the backend) it is a 503 in the API's error shape with
    Retry-After; with "cached" (the public site) the page is made from what the instance
    already has, fresh or the last good copy, with no backend call (or the site's 503 page).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.serve_cached = getattr(settings, "OVERLOAD_ANSWER", "refuse") == "cached"

    def __call__(self, request):
        if not request.META.get(OVERLOADED_ENVIRON):
            return self.get_response(request)
        if self.serve_cached:
            token = backend_calls_allowed.set(False)
            try:
                return self.get_response(request)
            finally:
                backend_calls_allowed.reset(token)
        error = {"code": "overloaded", "message": "The service is busy: try again in a second."}
        response = JsonResponse({"error": error}, status=503)
        response["Retry-After"] = "1"
        return response


class HeadWithoutBodyMiddleware:
    """Answer HEAD with the GET's status and headers (Content-Length too) and no body.

    Django leaves dropping the body to the server; gunicorn does drop it, but logs a warning
    for every such response. Outermost, so every layer below sees an ordinary GET-like answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming:
            response.headers.setdefault("Content-Length", str(len(response.content)))
            response.content = b""
        return response


class RequestLogMiddleware:
    """Log method, path, status and time of each request with its request id.

    The id comes from the caller's X-Request-ID when given by a caller the site trusts with it
    (REQUEST_ID_TRUSTED_FROM: the frontend sends one to the backend with its key), so one
    click can be followed through both sites' logs. While the request is
    handled, common.logging.request_id holds it, so every line logged meanwhile names it too,
    until Django's request_finished (the response closed): Django's own "Service Unavailable"
    line is logged after the middleware has returned.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # Whose X-Request-ID to believe (a predicate on the request): the public site's own
        # proxies', the backend's callers with a valid key; anyone else's is replaced, so a
        # visitor cannot forge the id that ties lines together across both sites' logs.
        trusted = getattr(settings, "REQUEST_ID_TRUSTED_FROM", "")
        self.trusted = import_string(trusted) if trusted else _trust_everyone

    def __call__(self, request):
        started = time.perf_counter()
        trusted = _REQUEST_ID_META in request.META and self.trusted(request)
        request.request_id = request_id_from(request) if trusted else uuid.uuid4().hex
        request_id.set(request.request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        logger.info(
            REQUEST_LINE,
            request.method,
            request.get_full_path(),
            response.status_code,
            (time.perf_counter() - started) * 1000,
            request.request_id,
        )
        return response


def forget_request_id(**kwargs) -> None:
    """End of a request: gthread workers reuse their threads, the id must not outlive it."""
    request_id.set(None)


request_finished.connect(forget_request_id, dispatch_uid="common.middleware.forget_request_id")
