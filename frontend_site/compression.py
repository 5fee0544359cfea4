"""Compressed copies of the public site's pages and JSON, made once per body.

Brotli when the client accepts it, else gzip, else the body as it is (the board's table:
1,071 bytes in brotli, 1,222 in gzip, 8,068 as it is; docs/performance.md). A body kept by
the page cache, or rendered once for a snapshot (frontend_site/board/views.py), is
compressed at most once per coding, on first demand, not once per request.

BREACH (guessing a secret from compressed sizes) needs a secret in the body next to text an
attacker controls. These pages carry none: no CSRF token, no session, no cookie, nothing per
visitor; the same bytes go to everyone. So compressing them leaks nothing. Do not compress a
response that carries a secret through this module.
"""

from __future__ import annotations

import functools
import gzip

import brotli

BR = "br"
GZIP = "gzip"
IDENTITY = ""
# Below this a compressed body is hardly smaller, and the work not worth it.
MIN_SIZE = 256
# Quality 5 compresses a board page in about a tenth of the time 11 takes and is still well
# under gzip's size; a page is compressed again each time its snapshot is fetched.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
COMPRESSIBLE_TYPES = ("text/html", "application/json")


@functools.lru_cache(maxsize=256)
def chosen(accept_encoding: str) -> str:
    """The coding for a client that sent ``accept_encoding``: br, then gzip, else IDENTITY.

    A coding with q=0 is refused; "*" stands for every coding not named. Browsers send a
    handful of distinct headers, so the answers are remembered.
    """
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.strip().lower()] = weight
    anything = weights.get("*", 0.0)
    for coding in (BR, GZIP):
        if weights.get(coding, anything) > 0:
            return coding
    return IDENTITY


def compressed(body: bytes, coding: str) -> bytes:
    """``body`` in ``coding`` (BR, GZIP or IDENTITY)."""
    if coding == BR:
        return brotli.compress(body, quality=BROTLI_QUALITY)
    if coding == GZIP:
        # mtime=0: the same body always gives the same bytes, on every worker.
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    return body


def compressible(response) -> bool:
    """Whether ``response`` is a page or JSON body worth compressing that nothing has yet."""
    return (
        not response.streaming
        and response.status_code not in (204, 304)
        and "Content-Encoding" not in response
        and response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
    )


class Body:
    """A response body, its ETag (or ""), and its compressed copies, each made once."""

    __slots__ = ("_coded", "etag", "identity")

    def __init__(self, identity: bytes, etag: str = ""):
        self.identity = identity
        self.etag = etag
        self._coded: dict[str, bytes] = {}

    def coding_for(self, accept_encoding: str) -> str:
        """The coding to send this body in to a client that sent ``accept_encoding``."""
        return chosen(accept_encoding) if len(self.identity) >= MIN_SIZE else IDENTITY

    def coded(self, coding: str) -> bytes:
        """This body in ``coding``, compressed on the first call for it."""
        if coding == IDENTITY:
            return self.identity
        body = self._coded.get(coding)
        if body is None:
            # Two threads may both compress it once; either result is the same bytes.
            body = self._coded[coding] = compressed(self.identity, coding)
        return body
