"""Answers a site gives from memory in gunicorn's poller, without taking a thread.

A thousand open pages each asking every few seconds whether the scores changed would keep a
site's threads busy handing out answers that are already made (a 304, or a page kept in
memory), and each answer would pay for a thread hand-off, gunicorn's parser and Django's
request cycle. A site can register one function here (``register``); the worker
(common/gunicorn_worker.py) calls it with each GET that arrived whole and alone on its
connection, before handing it to a thread. It returns the complete HTTP/1.1 response, or None
to have the request served the usual way. It runs in the worker's main thread between polls,
so it must be quick and must never block.
"""

from __future__ import annotations

from collections.abc import Callable

Answerer = Callable[[bytes], "bytes | None"]
# Larger answers go the usual way: the worker sends a quick answer with one non-blocking send,
# which a client that read its last answer always takes whole (the socket's send buffer is
# at least 16 KiB on Linux).
MAX_ANSWER_BYTES = 8 * 1024

_answerer: Answerer | None = None


def register(answerer: Answerer | None) -> None:
    """Make ``answerer`` the process's quick answerer (None: none)."""
    global _answerer
    _answerer = answerer


def answer(request: bytes) -> bytes | None:
    """The whole response to ``request`` (one GET's head) if the site has it ready, else None."""
    if _answerer is None:
        return None
    found = _answerer(request)
    return found if found is not None and len(found) <= MAX_ANSWER_BYTES else None
