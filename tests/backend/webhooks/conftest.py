"""A real receiver for the webhook tests: an http.server on a free loopback port, in a
thread, that answers each POST as told (an HTTP status, or a sleep past the deliverer's
read timeout) and records every request it gets."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest

from common.local_servers.processes import HOST, free_ports

README = Path(__file__).resolve().parents[3] / "README.md"
SLOW = "slow"  # answer only after the deliverer's read timeout


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int | str  # the status sent, or SLOW

    @property
    def event(self) -> dict:
        return orjson.loads(self.body)


class Receiver:
    def __init__(self, slow_seconds: float):
        self.script: deque = deque()  # what the next requests get; then 200
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.slow_seconds = slow_seconds
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    answer = receiver.script.popleft() if receiver.script else 200
                    receiver.received.append(Received(dict(self.headers), body, answer))
                if answer == SLOW:
                    time.sleep(receiver.slow_seconds)
                    answer = 200
                try:
                    self.send_response(answer)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the deliverer gave up on a slow answer

            def log_message(self, *args):
                pass

        (port,) = free_ports(1)
        self.server = ThreadingHTTPServer((HOST, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self) -> list[Received]:
        """The requests answered with a 2xx at once: the events the receiver took."""
        return [r for r in self.received if isinstance(r.answered, int) and r.answered < 300]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    """A receiver, with the deliverer's timeouts made short enough for tests."""
    settings.WEBHOOK_CONNECT_TIMEOUT = 0.5
    settings.WEBHOOK_READ_TIMEOUT = 0.2
    settings.WEBHOOK_BACKOFF_SECONDS = 10
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 3600
    settings.WEBHOOK_GIVE_UP_SECONDS = 24 * 3600
    found = Receiver(slow_seconds=0.6)
    yield found
    found.stop()


def readme_verify():
    """The README's signature check, run as written there."""
    text = README.read_text()
    section = text[text.index("### Webhooks") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(code, scope)  # noqa: S102 (our own README's snippet: the test is that it works)
    return scope["verify"]
