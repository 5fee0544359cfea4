"""A tiny WSGI application for the gunicorn worker's tests: it answers after as long as it is
told, so a test knows exactly how long each request holds a thread.

    /healthz            at once
    /sleep?ms=N         after N milliseconds ("/admin/sleep?ms=N" too, on the admin's pool)
    POST /echo          the length of the body it read

A request the worker marked overloaded gets a 503 at once, as the sites' OverloadMiddleware
answers it, and says so in its body.
"""

import time
from urllib.parse import parse_qs

from common.overload import OVERLOADED_ENVIRON


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if environ.get(OVERLOADED_ENVIRON):
        start_response("503 Service Unavailable", [("Retry-After", "1")])
        return [b"overloaded"]
    if path.endswith("/sleep"):
        milliseconds = int(parse_qs(environ["QUERY_STRING"]).get("ms", ["0"])[0])
        time.sleep(milliseconds / 1000)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"slept"]
    if path == "/echo":
        length = environ.get("CONTENT_LENGTH")
        body = environ["wsgi.input"].read(int(length) if length else None)  # None: chunked
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(len(body)).encode()]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
