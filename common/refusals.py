"""What the gunicorn worker (common/gunicorn_worker.py) answers itself, before a site sees the
request: a whole HTTP/1.1 response that closes the connection, in the API's JSON error shape
(``{"error": {"code", "message"}}``), or a short page for a browser (``Accept: text/html``).

- 408 `request_timeout`: the request did not arrive in time;
- 503 `overloaded`: even the quick lane is backed up;
- what gunicorn's parser refuses (``parse_refusal``), which gunicorn would answer with an HTML
  page of its own: 414 `uri_too_long` (a request line over ``limit_request_line``, 4094
  bytes), 431 `headers_too_large` (a header field over ``limit_request_field_size``, 8190
  bytes, or over ``limit_request_fields``, 100 fields), 400 `bad_request` (a malformed
  request), 417 and 501 (an Expect or a transfer coding it cannot meet).

The backend's OpenAPI document describes the 414 and 431 as it does every other error.
"""

from __future__ import annotations

import html as html_text

import orjson
from gunicorn.http import errors as http_errors

RETRY_AFTER_SECONDS = 1


def refusal(status: str, code: str, message: str, *, html: bool, retry: bool = True) -> bytes:
    """A whole HTTP/1.1 response that closes the connection: the API's JSON error shape, or a
    short page for a browser; with Retry-After when trying again later may succeed."""
    if html:
        content_type = "text/html; charset=utf-8"
        body = (
            f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{status}</title>'
            f"<h1>{status[4:]}</h1><p>{html_text.escape(message)}</p></html>"
        ).encode()
    else:
        content_type = "application/json"
        body = orjson.dumps({"error": {"code": code, "message": message}})
    retry_after = f"Retry-After: {RETRY_AFTER_SECONDS}\r\n" if retry else ""
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n{retry_after}"
        "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


# What gunicorn's parser refuses with a 400 (its handle_error), answered here as JSON too.
MALFORMED = (
    http_errors.InvalidRequestLine,
    http_errors.InvalidRequestMethod,
    http_errors.InvalidHTTPVersion,
    http_errors.InvalidHeader,
    http_errors.InvalidHeaderName,
    http_errors.ObsoleteFolding,
    http_errors.InvalidSchemeHeaders,
    http_errors.InvalidProxyLine,
    http_errors.InvalidChunkSize,
    http_errors.ChunkMissingTerminator,
    http_errors.InvalidChunkExtension,
    http_errors.InvalidH2CPreface,
)
# A header the application sent is its own fault: gunicorn's 500, as for any other.
APPLICATION_FAULTS = (http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName)


def parse_refusal(exc: Exception, cfg) -> tuple[str, str, str] | None:
    """(status, code, message) for a request gunicorn's parser refused, or None for anything
    else (left to gunicorn: the application's faults, TLS and proxy-protocol errors)."""
    if isinstance(exc, APPLICATION_FAULTS):
        return None
    if isinstance(exc, http_errors.LimitRequestLine):
        return (
            "414 URI Too Long",
            "uri_too_long",
            f"The request line is over {cfg.limit_request_line} bytes.",
        )
    if isinstance(exc, http_errors.LimitRequestHeaders):
        return (
            "431 Request Header Fields Too Large",
            "headers_too_large",
            f"The header fields are too large: at most {cfg.limit_request_fields} fields of "
            f"{cfg.limit_request_field_size} bytes each.",
        )
    if isinstance(exc, http_errors.UnsupportedTransferCoding):
        return "501 Not Implemented", "not_implemented", "The transfer coding is not supported."
    if isinstance(exc, http_errors.ExpectationFailed):
        return "417 Expectation Failed", "expectation_failed", "The Expect header is not met."
    if isinstance(exc, MALFORMED):
        return "400 Bad Request", "bad_request", f"The request could not be understood: {exc}"[:300]
    return None


OVERLOADED = "503 Service Unavailable", "overloaded", "The service is busy: try again in a second."
TIMED_OUT = "408 Request Timeout", "request_timeout", "The request took too long to arrive."
