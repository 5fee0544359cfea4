"""gunicorn's threaded worker, made to stay up under hostile traffic.

gthread hands each new connection to a thread before its request has arrived, so a client
that trickles its headers (or body) one byte every few seconds holds a thread for as long as
it likes: 16 of them take a 4 x 4 site offline. This worker:

- **reads each request in its poller**, without a thread, until it has all arrived
  (common/http_framing.py), and only then hands it to a thread. A request whose head has not
  arrived within HEADER_TIMEOUT_SECONDS (default 10), or whose body has not followed within
  BODY_TIMEOUT_SECONDS (default 30), is answered 408 and closed.
- **sheds overload at once** instead of queuing it. A request that would wait for a thread
  longer than QUEUE_DEADLINE_MS (default 1,000) goes to a lane of its own as soon as it has
  arrived (the wait is estimated from the queue's length and the recent time per request),
  and one that did wait that long anyway is never run late: either is marked overloaded
  (common/overload.py) and the site answers it at once, the backend with a 503 and
  Retry-After, the public site with what it already has. If even the lane is backed up, the
  poller answers 503 itself. The health checks (/healthz, /readyz) are never shed.
- **keeps the admin off the threads the API and pages need**: /admin/ requests have a pool of
  their own, ADMIN_THREADS (default 1) per worker.
- **closes its listening socket as soon as it starts to stop.** gthread stops accepting on
  SIGTERM but keeps the socket open until the end of its graceful drain; with reuse_port every
  worker has a socket of its own, and the kernel goes on queuing connections onto it that
  nobody takes and that are reset when the worker exits. This worker takes what is already
  queued, then closes the socket, so a later connection is refused at once.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import threading
import time
from concurrent import futures

import orjson
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import TConn
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker

from common import http_framing
from common.overload import OVERLOADED_ENVIRON

NEVER_SHED = (b"/healthz", b"/readyz")
# The shed lane's own backlog, past which the poller refuses a request itself.
SHED_LANE_MAX_WAIT = 0.02
ADMIN_PREFIX = b"/admin"
RETRY_AFTER_SECONDS = 1
# How often the poller looks for requests that are taking too long to arrive.
SWEEP_SECONDS = 0.5


def _env_seconds(name: str, default: float, scale: float = 1.0) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) / scale if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise SystemExit(f"{name} must be more than 0, not {raw!r}")
    return value


def refusal(status: str, code: str, message: str, *, html: bool) -> bytes:
    """A whole HTTP/1.1 response that closes the connection: the API's JSON error shape, or a
    short page for a browser."""
    if html:
        content_type = "text/html; charset=utf-8"
        body = (
            f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{status}</title>'
            f"<h1>{status[4:]}</h1><p>{message}</p></html>"
        ).encode()
    else:
        content_type = "application/json"
        body = orjson.dumps({"error": {"code": code, "message": message}})
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: {RETRY_AFTER_SECONDS}\r\n"
        "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


OVERLOADED = "503 Service Unavailable", "overloaded", "The service is busy: try again in a second."
TIMED_OUT = "408 Request Timeout", "request_timeout", "The request took too long to arrive."


class Pool:
    """A thread pool and what the poller knows of its queue: how many requests wait in it,
    and the recent time a request takes (an exponentially weighted average)."""

    def __init__(self, threads: int):
        self.threads = threads
        self.executor = futures.ThreadPoolExecutor(max_workers=threads)
        self.waiting = 0
        self.seconds_per_request = 0.005
        self.lock = threading.Lock()

    def expected_wait(self) -> float:
        return self.waiting * self.seconds_per_request / self.threads

    def queued(self) -> None:
        with self.lock:
            self.waiting += 1

    def started(self) -> None:
        with self.lock:
            self.waiting -= 1

    def took(self, seconds: float) -> None:
        self.seconds_per_request += (seconds - self.seconds_per_request) * 0.1


class ThreadWorker(GunicornThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.header_timeout = _env_seconds("HEADER_TIMEOUT_SECONDS", 10.0)
        self.body_timeout = _env_seconds("BODY_TIMEOUT_SECONDS", 30.0)
        self.queue_deadline = _env_seconds("QUEUE_DEADLINE_MS", 1.0, scale=1000)
        self.admin_threads = int(_env_seconds("ADMIN_THREADS", 1))
        # Connections whose request is arriving: conn -> the time by which it must have.
        self.arriving: dict[TConn, float] = {}
        self.next_sweep = 0.0
        self.pool: Pool | None = None
        self.admin_pool: Pool | None = None
        self.shed_pool: Pool | None = None

    def get_thread_pool(self):
        self.pool = Pool(self.cfg.threads)
        self.admin_pool = Pool(self.admin_threads)
        self.shed_pool = Pool(1)
        return self.pool.executor

    def handle_quit(self, sig, frame):
        for pool in (self.admin_pool, self.shed_pool):
            pool.executor.shutdown(wait=False)
        super().handle_quit(sig, frame)

    # --- reading requests in the poller --------------------------------------------------------

    def _reads_in_poller(self, conn: TConn) -> bool:
        """TLS and HTTP/2 prior knowledge read their own bytes first: those keep gthread's way."""
        return not self.cfg.is_ssl and not negotiation.prior_knowledge_allowed(
            self.cfg, conn.client
        )

    def accept(self, listener):
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        if not self._reads_in_poller(conn):
            self.enqueue_req(conn)
            return
        conn.received = bytearray()
        self._await_request(conn)

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection's next request is arriving: read it here too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        conn.received = bytearray()
        self._await_request(conn)
        self._on_request_bytes(conn)

    def _await_request(self, conn: TConn) -> None:
        conn.continued = False
        self.arriving[conn] = time.monotonic() + self.header_timeout
        self.poller.register(
            conn.sock, selectors.EVENT_READ, lambda _sock: self._on_request_bytes(conn)
        )

    def _on_request_bytes(self, conn: TConn) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._forget_arriving(conn)
            self._close(conn)
            return
        conn.received += data
        self._advance(conn)

    def _advance(self, conn: TConn) -> None:
        head = http_framing.scan(conn.received)
        if head is None:
            return
        if not head.complete:
            if not conn.continued:  # the head is in: the body gets its own time
                conn.continued = True
                self.arriving[conn] = time.monotonic() + self.body_timeout
                if head.expects_continue:
                    _send_quietly(conn.sock, b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self._forget_arriving(conn)
        conn.prebuffer, conn.received = bytes(conn.received), bytearray()
        conn.head = head
        self.enqueue_req(conn)

    def _forget_arriving(self, conn: TConn) -> None:
        if self.arriving.pop(conn, None) is not None:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.poller.unregister(conn.sock)

    def murder_pending(self):
        """Also answer 408 and close requests that have not arrived in time."""
        super().murder_pending()
        now = time.monotonic()
        if now < self.next_sweep or not self.arriving:
            return
        self.next_sweep = now + SWEEP_SECONDS
        stopping = not self.alive
        for conn, deadline in list(self.arriving.items()):
            if deadline <= now or (stopping and not conn.received):
                self._forget_arriving(conn)
                if conn.received:
                    head = http_framing.scan(conn.received)
                    html = bool(head and head.wants_html)
                    _send_quietly(conn.sock, refusal(*TIMED_OUT, html=html))
                self._close(conn)

    def _close(self, conn: TConn) -> None:
        self.nr_conns -= 1
        conn.close()

    # --- handing requests to threads, or shedding them -----------------------------------------

    def enqueue_req(self, conn):
        head = getattr(conn, "head", None)
        if head is None and conn.initialized and self._reads_in_poller(conn):
            # A kept-alive connection whose next request was read ahead with the last body.
            leftover = conn.parser.unreader.take_buffered()
            if leftover:
                conn.received = bytearray(leftover)
                self._await_request(conn)
                self._advance(conn)
                return
        pool = self.pool
        if head is not None and head.path.startswith(ADMIN_PREFIX):
            pool = self.admin_pool
        conn.overloaded = False
        sheddable = head is not None and head.path not in NEVER_SHED
        if sheddable and pool.expected_wait() > self.queue_deadline:
            # Its wait would pass the deadline: the shed lane answers it at once, as the site
            # answers an overloaded request; if even that lane is backed up, we do.
            if self.shed_pool.expected_wait() > SHED_LANE_MAX_WAIT:
                _send_quietly(conn.sock, refusal(*OVERLOADED, html=head.wants_html))
                self._close(conn)
                return
            pool, conn.overloaded = self.shed_pool, True
        conn.pool, conn.queued_at = pool, time.monotonic()
        pool.queued()
        done = pool.executor.submit(self.handle, conn)
        done.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))

    def handle(self, conn):
        """In a thread: the request, marked overloaded if it waited past the deadline."""
        pool = conn.pool
        pool.started()
        started = time.monotonic()
        head, conn.head = getattr(conn, "head", None), None
        if head is not None:
            waited_too_long = started - conn.queued_at > self.queue_deadline
            _this_thread.overloaded = conn.overloaded or (
                waited_too_long and head.path not in NEVER_SHED
            )
            try:
                conn.init()  # the parser, reading the bytes already here first
                conn.parser.unreader.unread(conn.prebuffer)
            except OSError:
                return False
            finally:
                conn.prebuffer = b""
        try:
            return super().handle(conn)
        finally:
            _this_thread.overloaded = False
            pool.took(time.monotonic() - started)

    def load_wsgi(self):
        """The site's application, told which requests came too late to be served in full."""
        super().load_wsgi()
        app = self.wsgi

        def marked(environ, start_response):
            if getattr(_this_thread, "overloaded", False):
                environ[OVERLOADED_ENVIRON] = True
            return app(environ, start_response)

        self.wsgi = marked

    # --- stopping ------------------------------------------------------------------------------

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            self._take_queued_and_close()

    def _take_queued_and_close(self) -> None:
        for listener in self.sockets:
            listener.setblocking(False)
            while True:
                try:
                    client, address = listener.accept()
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED):
                        self.log.warning("Taking queued connections: %s", exc)
                    if exc.errno != errno.ECONNABORTED:
                        break
                    continue
                self.nr_conns += 1
                client.setblocking(True)
                self.enqueue_req(TConn(self.cfg, client, address, listener.getsockname()))
            listener.close()


_this_thread = threading.local()


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    """Send a small answer on a non-blocking socket, if the client is still there to take it."""
    with contextlib.suppress(OSError):
        sock.send(data)
