"""Hostile traffic, for the drills in tests/test_hostile_traffic.py and `make chaos`.

- Tricklers: connections that send a request one byte every few seconds (its head, or its
  body), reconnecting whenever the server closes them, all from one thread.
- probe: what other clients see meanwhile (status and seconds of each request).
- flood: many requests at once, each on a new connection, and how each was answered.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 4000 + b"\r\n\r\n"
SLOW_BODY = (
    b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4000\r\n\r\n" + b"x" * 4000
)


class Tricklers:
    """``count`` connections to ``port``, each sending ``request`` one byte every
    ``interval`` seconds (after ``at_once`` bytes sent at once, to reach the body, say)."""

    def __init__(self, port: int, *, count: int, interval: float, request: bytes, at_once: int = 0):
        self.port = port
        self.count = count
        self.interval = interval
        self.request = request
        self.at_once = at_once
        self.opened = 0
        self.closed_by_server = 0  # connections the server closed (or answered) mid-request
        self.lifetimes: list[float] = []  # seconds from connecting to being closed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tricklers", daemon=True)

    def __enter__(self) -> Tricklers:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _connect(self, selector: selectors.BaseSelector) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.setblocking(False)
        state = {"sent": 0, "opened": time.monotonic(), "next": time.monotonic()}
        if self.at_once:
            state["sent"] = sock.send(self.request[: self.at_once])
        selector.register(sock, selectors.EVENT_READ, state)
        self.opened += 1

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        for _ in range(self.count):
            try:
                self._connect(selector)
            except OSError:
                time.sleep(0.01)
        while not self._stop.is_set():
            now = time.monotonic()
            for key, _ in selector.select(timeout=0.05):
                self._closed(selector, key, now)
            for key in list(selector.get_map().values()):
                state = key.data
                if state["next"] <= now and state["sent"] < len(self.request) - 1:
                    try:
                        key.fileobj.send(self.request[state["sent"] : state["sent"] + 1])
                        state["sent"] += 1
                    except OSError:
                        self._closed(selector, key, now)
                        continue
                    state["next"] = now + self.interval
        for key in list(selector.get_map().values()):
            key.fileobj.close()
        selector.close()

    def _closed(self, selector, key, now: float) -> None:
        """The server answered or closed a trickling connection: count it, open another."""
        try:
            data = key.fileobj.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data and not data.startswith(b"HTTP/1.1 408"):
            return  # an answer we did not expect; the connection stays
        selector.unregister(key.fileobj)
        key.fileobj.close()
        self.closed_by_server += 1
        self.lifetimes.append(now - key.data["opened"])
        if not self._stop.is_set():
            with contextlib.suppress(OSError):
                self._connect(selector)


@dataclass
class Answer:
    status: int  # 0: no answer (connection error or timeout)
    seconds: float
    retry_after: str | None = None


def get(url: str, timeout: float = 10.0) -> Answer:
    """One GET on a new connection."""
    started = time.monotonic()
    try:
        response = requests.get(url, timeout=timeout, headers={"Connection": "close"})
    except requests.RequestException:
        return Answer(0, time.monotonic() - started)
    return Answer(
        response.status_code, time.monotonic() - started, response.headers.get("Retry-After")
    )


def probe(url: str, *, count: int, every: float) -> list[Answer]:
    """``count`` GETs of ``url``, one every ``every`` seconds, one after the other."""
    answers = []
    for _ in range(count):
        answers.append(get(url))
        time.sleep(every)
    return answers


def flood(url: str, *, requests_total: int, clients: int) -> list[Answer]:
    """``requests_total`` GETs of ``url``, ``clients`` at a time."""
    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda _: get(url), range(requests_total)))


def p99(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
