"""A TCP proxy on loopback that can slow a server down: each request waits ``delay`` seconds.

bench.chaos puts one between the frontend and the backend and sets ``delay`` to make the
backend slow without touching its code.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from common.local_servers import HOST


class DelayProxy:
    """Listens on a free loopback port and forwards to ``HOST:upstream_port``; every chunk a
    client sends is held for ``delay`` seconds first (0: none)."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.delay = 0.0
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True, name="delay-proxy")
        self.thread.start()

    def __repr__(self) -> str:
        return f"delay proxy {HOST}:{self.port} -> {self.upstream_port}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection((HOST, self.upstream_port), timeout=5)
        except OSError:
            client.close()  # as the server itself would: nothing listens
            return
        upstream.settimeout(None)
        threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()
        self._pump(client, upstream, True)

    def _pump(self, source: socket.socket, target: socket.socket, delayed: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if delayed and self.delay:
                    time.sleep(self.delay)
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(timeout=5)
