"""Cross-origin reads of /data.json, and only of it: a web build of the game (WebGL, HTML5)
served from another origin shows the public top 100. The pages stay same-origin.

A few lines of our own rather than django-cors-headers: one path, a fixed set of headers, and
a preflight that must answer 204 (that library answers 200 and sends its headers on any path
its regex lets through); nothing else here needs it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

PATH = "/data.json"
ANY_ORIGIN = "*"
_ORIGIN_RE = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
ALLOW_METHODS = "GET, HEAD, OPTIONS"
# What a reader may send beyond the simple headers: a poller revalidating its copy.
ALLOW_HEADERS = "If-None-Match"
# What a reader's script may see beyond the simple response headers.
EXPOSE_HEADERS = "ETag, Age, Warning, X-Data-Stale"
# A day; browsers cap it themselves (Chromium at two hours, Firefox at a day).
PREFLIGHT_MAX_AGE = "86400"


def cors_origins(origins: list[str]) -> tuple[str, ...]:
    """FRONTEND_CORS_ORIGINS checked: "*" alone, or origins such as https://game.example.com
    (scheme, host, optional port: no path, no trailing slash, as browsers send Origin)."""
    if ANY_ORIGIN in origins:
        if len(origins) > 1:
            raise ImproperlyConfigured('FRONTEND_CORS_ORIGINS: "*" stands alone, not in a list.')
        return (ANY_ORIGIN,)
    for origin in origins:
        if not _ORIGIN_RE.fullmatch(origin):
            raise ImproperlyConfigured(
                f"FRONTEND_CORS_ORIGINS: {origin!r} is not an origin such as "
                "https://game.example.com (scheme and host, no path or trailing slash)."
            )
    return tuple(origins)


class DataJsonCors:
    """Answer the CORS preflight of /data.json with a 204, and tell the browser which origins
    may read its answers (FRONTEND_CORS_ORIGINS, "*" by default: the data is public).

    Above the page cache, so the kept answer is the same for every origin and a 304 carries
    these headers too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        if request.method == "OPTIONS":
            request.get_host()  # a host we do not serve is refused (400), as for any request
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOW_METHODS
            response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = self.get_response(request)
        origins = settings.FRONTEND_CORS_ORIGINS
        if origins == (ANY_ORIGIN,):
            response["Access-Control-Allow-Origin"] = ANY_ORIGIN
        else:
            # The answer depends on the Origin sent: caches must keep one per origin.
            patch_vary_headers(response, ("Origin",))
            origin = request.META.get("HTTP_ORIGIN", "")
            if origin in origins:
                response["Access-Control-Allow-Origin"] = origin
        if response.status_code != 204:
            response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        return response
