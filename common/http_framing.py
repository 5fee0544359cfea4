"""Whether the bytes a client has sent so far hold one whole HTTP/1.x request.

The gunicorn worker (common/gunicorn_worker.py) reads each request in its poller, without a
thread, until this says it is all there: the head up to its blank line, then the body as
Content-Length or chunked framing says. Only then does a thread take it, so a client that
trickles its bytes holds a socket, never a thread. Validating is left to gunicorn's parser:
anything this cannot read is handed over as soon as it is seen, and the parser answers 400.
"""

from __future__ import annotations

from dataclasses import dataclass

# Longer heads are handed over as they are: gunicorn refuses them itself (431/400).
MAX_HEAD_BYTES = 64 * 1024
# Larger bodies are read by the thread: Django refuses them anyway (DATA_UPLOAD_MAX_MEMORY_SIZE).
MAX_BODY_BYTES = 4 * 1024 * 1024
_HEAD_END = b"\r\n\r\n"


@dataclass(frozen=True, slots=True)
class Head:
    """What the worker needs from a request's head before a thread sees it."""

    path: bytes  # without its query string
    expects_continue: bool  # "Expect: 100-continue": the client waits to be told to send the body
    wants_html: bool  # "Accept" names text/html: a refusal is a page, not JSON
    complete: bool  # the body (if any) has arrived too
    # What sort of request it is, for guessing how long it will take (the worker's Pool):
    # its method and its path's first four segments (b"POST /api/v1/leaderboards/global").
    kind: bytes = b""


def scan(received: bytes | bytearray) -> Head | None:
    """The request's head once it has fully arrived, else None (more bytes are needed)."""
    end = received.find(_HEAD_END)
    if end < 0:
        if len(received) > MAX_HEAD_BYTES:
            return Head(b"", False, False, complete=True)
        return None
    lines = bytes(received[:end]).split(b"\r\n")
    target = lines[0].split(b" ")
    path = target[1].split(b"?", 1)[0] if len(target) > 1 else b""
    length, chunked, expects_continue, wants_html = 0, False, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return Head(path, False, False, complete=True)  # the parser says 400
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"expect":
            expects_continue = value.strip().lower() == b"100-continue"
        elif name == b"accept":
            wants_html = b"text/html" in value
    body = end + len(_HEAD_END)
    if chunked:
        complete = _chunked_end(received, body) or len(received) - body > MAX_BODY_BYTES
    else:
        complete = len(received) - body >= length or length > MAX_BODY_BYTES
    kind = target[0] + b" " + b"/".join(path.split(b"/")[:5])
    return Head(path, expects_continue, wants_html, complete=bool(complete), kind=kind)


def _chunked_end(received: bytes | bytearray, at: int) -> bool:
    """Whether a chunked body starting at ``at`` has ended (its last chunk and trailers)."""
    while True:
        line_end = received.find(b"\r\n", at)
        if line_end < 0:
            return False
        try:
            size = int(bytes(received[at:line_end]).split(b";", 1)[0].strip(), 16)
        except ValueError:
            return True  # not chunked framing: the parser says 400
        at = line_end + 2
        if size == 0:
            break
        at += size + 2
        if at > len(received):
            return False
    while True:  # trailer fields, up to an empty line
        line_end = received.find(b"\r\n", at)
        if line_end < 0:
            return False
        if line_end == at:
            return True
        at = line_end + 2
