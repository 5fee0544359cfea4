"""gunicorn's threaded worker, made to stay up under hostile traffic.

gthread hands each new connection to a thread before its request has arrived, so a client
that trickles its headers (or body) one byte every few seconds holds a thread for as long as
it likes: 16 of them take a 4 x 4 site offline. This worker:

- **reads each request in its poller**, without a thread, until it has all arrived
  (common/http_framing.py), and only then hands it to a thread. A request whose head has not
  arrived within HEADER_TIMEOUT_SECONDS (default 10), or whose body has not followed within
  BODY_TIMEOUT_SECONDS (default 30), is answered 408 and closed.
- **sheds overload at once** instead of queuing it. A request that would wait for a thread
  longer than QUEUE_DEADLINE_MS (default 1,000) goes to a quick lane as soon as it has
  arrived (the wait is estimated from what is queued, each request at the recent time of its
  kind: a burst of slow batches says nothing of the quick submissions after it),
  and one that did wait that long anyway is never run late: either is marked overloaded
  (common/overload.py) and the site answers it at once, the backend with a 503 and
  Retry-After, the public site with what it already has. If even the lane is backed up, the
  poller answers 503 itself. The health checks (/healthz, /readyz) are never shed: they take
  the quick lane too, never queued behind slow requests.
- **keeps the admin off the threads the API and pages need**: /admin/ requests have a pool of
  their own, ADMIN_THREADS (default 1) per worker.
- **answers what gunicorn's parser refuses as the sites answer any error** (``handle_error``):
  JSON in the API's shape, or a page for a browser, not gunicorn's HTML; a request line or
  header fields over gunicorn's limits are a 414 or a 431 (common/refusals.py, which also
  holds the 408 and 503 above).
- **answers from memory in the poller** what the site already has made (common/quick_answers.py:
  the public site's pages and parts kept fresh, and their 304s), so pages polling for new
  scores take no thread and little CPU.
- **closes its listening socket as soon as it starts to stop.** gthread stops accepting on
  SIGTERM but keeps the socket open until the end of its graceful drain; with reuse_port every
  worker has a socket of its own, and the kernel goes on queuing connections onto it that
  nobody takes and that are reset when the worker exits. This worker takes what is already
  queued, then closes the socket, so a later connection is refused at once.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import selectors
import socket
import threading
import time
from concurrent import futures

from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker

from common import http_framing, quick_answers
from common.overload import OVERLOADED_ENVIRON
from common.refusals import OVERLOADED, TIMED_OUT, parse_refusal, refusal

NEVER_SHED = (b"/healthz", b"/readyz")
# The quick lane (one thread a worker: health checks, and the answers to overloaded requests)
# has a backlog of its own, past which the poller refuses an overloaded request itself.
QUICK_LANE_MAX_WAIT = 0.02
ADMIN_PREFIX = b"/admin"
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


class Pool:
    """A thread pool and what the poller knows of its queue: how many requests wait in it and
    the time they are expected to take together, the recent time a request of each kind
    takes (Head.kind; any kind's for one not seen yet), and the recent wait for a thread
    (exponentially weighted averages; the wait fades within a second once nobody waits)."""

    KINDS_MAX = 256  # kinds remembered (the oldest seen goes first); a site has a few dozen

    def __init__(self, threads: int):
        self.threads = threads
        self.executor = futures.ThreadPoolExecutor(max_workers=threads)
        self.waiting = 0
        self.queued_seconds = 0.0  # what the waiting requests are expected to take
        self.seconds_per_request = 0.005
        self.seconds_by_kind: dict[bytes, float] = {}
        self.recent_wait = 0.0
        self.recent_wait_at = 0.0
        self.lock = threading.Lock()

    def expected_wait(self) -> float:
        """How long a request queued now would wait: what the requests ahead of it are
        expected to take, spread over the threads, or what those who just started waited,
        whichever is longer (under load the first lags: requests take longer as the machine
        fills)."""
        if not self.waiting:
            return 0.0
        faded = self.recent_wait * max(0.0, 1.0 - (time.monotonic() - self.recent_wait_at))
        return max(self.queued_seconds / self.threads, faded)

    def cost_of(self, kind: bytes) -> float:
        """The recent time a request of this kind takes."""
        return self.seconds_by_kind.get(kind, self.seconds_per_request)

    def queued(self, kind: bytes = b"") -> float:
        """Count a request in the queue; what it is expected to take (give it to started)."""
        cost = self.cost_of(kind)
        with self.lock:
            self.waiting += 1
            self.queued_seconds += cost
        return cost

    def started(self, waited: float, cost: float = 0.0) -> None:
        with self.lock:
            self.waiting -= 1
            self.queued_seconds = max(0.0, self.queued_seconds - cost) if self.waiting else 0.0
            self.recent_wait += (waited - self.recent_wait) * 0.2
            self.recent_wait_at = time.monotonic()

    def took(self, seconds: float, kind: bytes = b"") -> None:
        self.seconds_per_request += (seconds - self.seconds_per_request) * 0.1
        known = self.seconds_by_kind.get(kind)
        if known is not None:
            self.seconds_by_kind[kind] = known + (seconds - known) * 0.1
            return
        if len(self.seconds_by_kind) >= self.KINDS_MAX:
            self.seconds_by_kind.pop(next(iter(self.seconds_by_kind)), None)
        self.seconds_by_kind[kind] = seconds


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
        self.stop_linger_until: float | None = None
        self.pool: Pool | None = None
        self.admin_pool: Pool | None = None
        self.quick_pool: Pool | None = None

    def get_thread_pool(self):
        self.pool = Pool(self.cfg.threads)
        self.admin_pool = Pool(self.admin_threads)
        self.quick_pool = Pool(1)
        return self.pool.executor

    def handle_quit(self, sig, frame):
        for pool in (self.admin_pool, self.quick_pool):
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
        self._await_request(conn, read_now=False)  # a new connection: its bytes are coming

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection's next request is arriving: read it here too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_request(conn, read_now=True)

    def _await_request(self, conn: TConn, *, read_now: bool) -> None:
        """Read the next request, now if ``read_now`` (the socket is readable), else when it
        is; mostly it is whole at the first read, and the poller never watches for the rest."""
        conn.received = bytearray()
        conn.continued = False
        conn.deadline = time.monotonic() + self.header_timeout
        if read_now:
            self._on_request_bytes(conn)
        else:
            self._watch(conn)

    def _watch(self, conn: TConn) -> None:
        if conn not in self.arriving:
            self.poller.register(
                conn.sock, selectors.EVENT_READ, lambda _sock: self._on_request_bytes(conn)
            )
        self.arriving[conn] = conn.deadline

    def _on_request_bytes(self, conn: TConn) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            self._watch(conn)
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
        if head is not None and not head.complete and not conn.continued:
            conn.continued = True  # the head is in: the body gets its own time
            conn.deadline = time.monotonic() + self.body_timeout
            if head.expects_continue:
                _send_quietly(conn.sock, b"HTTP/1.1 100 Continue\r\n\r\n")
        if head is None or not head.complete:
            self._watch(conn)
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
        if not self.alive and self.stop_linger_until is None:
            self.stop_linger_until = now + STOP_KEEPALIVE_LINGER
        for conn, deadline in list(self.arriving.items()):
            if self.stop_linger_until is not None and not conn.received:
                # Stopping: a connection that has sent nothing yet gets what a kept-alive one
                # gets, a couple of seconds for a request it may be sending already.
                deadline = min(deadline, self.stop_linger_until)
            if deadline <= now:
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
                conn.sock.setblocking(False)
                self._await_request(conn, read_now=False)
                conn.received += leftover
                self._advance(conn)
                return
        if head is not None and self._answered_quickly(conn):
            return
        pool = self.pool
        if head is not None and head.path.startswith(ADMIN_PREFIX):
            pool = self.admin_pool
        conn.overloaded = False
        if head is not None and head.path in NEVER_SHED:
            pool = self.quick_pool  # never behind slow requests, never shed
        elif head is not None and pool.expected_wait() > self.queue_deadline:
            # Its wait would pass the deadline: the quick lane answers it at once, as the site
            # answers an overloaded request; if even that lane is backed up, we do.
            if self.quick_pool.expected_wait() > QUICK_LANE_MAX_WAIT:
                _send_quietly(conn.sock, refusal(*OVERLOADED, html=head.wants_html))
                self._close(conn)
                return
            pool, conn.overloaded = self.quick_pool, True
        conn.pool, conn.queued_at = pool, time.monotonic()
        conn.kind = head.kind if head is not None else b""
        conn.cost = pool.queued(conn.kind)
        done = pool.executor.submit(self.handle, conn)
        done.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))

    def _answered_quickly(self, conn: TConn) -> bool:
        """Send the site's answer from memory (common/quick_answers.py), if it has one, and keep
        the connection for the next request, without a thread. Only a GET alone on its
        connection: a body or a pipelined request goes the usual way."""
        request = conn.prebuffer
        if (
            not self.alive
            or not request.startswith(b"GET ")
            or request.find(b"\r\n\r\n") != len(request) - 4
        ):
            return False
        answer = quick_answers.answer(request)
        if answer is None:
            return False
        conn.prebuffer, conn.head = b"", None
        try:
            sent = conn.sock.send(answer)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._close(conn)
            return True
        if sent != len(answer):
            # Only a client that has not read its last answer fills its socket's buffer:
            # closed, as a thread would give up on it too.
            self._close(conn)
            return True
        self.nr += 1
        if self.nr >= self.max_requests and self.alive:
            self.log.info("Autorestarting worker after current request.")
            self.alive = False
        conn.set_timeout()
        self.keepalived_conns.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, functools.partial(self.on_client_socket_readable, conn)
        )
        return True

    def handle(self, conn):
        """In a thread: the request, marked overloaded if it waited past the deadline."""
        pool = conn.pool
        started = time.monotonic()
        pool.started(started - conn.queued_at, conn.cost)
        head, conn.head = getattr(conn, "head", None), None
        _this_thread.overloaded = False
        _this_thread.wants_html = head is not None and head.wants_html
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
            if not _this_thread.overloaded:  # the quick answers say nothing of a request's cost
                pool.took(time.monotonic() - started, conn.kind)
            _this_thread.overloaded = False

    def handle_error(self, req, client, addr, exc):
        """A request the parser refused: answered as the site answers any other error (JSON,
        or a page for a browser), not with gunicorn's HTML; anything else as gunicorn does."""
        refused = parse_refusal(exc, self.cfg)
        if refused is None:
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        html = getattr(_this_thread, "wants_html", False)
        with contextlib.suppress(OSError):
            client.sendall(refusal(*refused, html=html, retry=False))
        return None

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
