"""The ceiling: a bare WSGI application that answers every request with a fixed JSON body.

Run under the same gunicorn settings as the sites, it measures the most this server stack
(gunicorn gthread workers, loopback TCP, the load generator on the same cores) can do on the
machine, with no Django, no middleware and no Redis. The body has the shape and size of
`/getdata` (top 100), so the comparison is about work done per request, not bytes sent.
"""

import orjson

BODY = orjson.dumps(
    [{"id": rank, "name": f"Player{rank:07d}", "score": 1_000_000 - rank} for rank in range(1, 101)]
)
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
