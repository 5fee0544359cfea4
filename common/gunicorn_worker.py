"""gunicorn's threaded worker, closing its listening socket as soon as it starts to stop.

gthread stops accepting on SIGTERM but keeps its listening socket open until the end of its
graceful drain (up to graceful_timeout). With reuse_port every worker has a socket of its own,
and the kernel goes on queuing new connections onto it meanwhile: the clients have sent
their requests, nobody takes them, and they are reset when the worker exits. This worker takes
what is already queued (and serves it like any other connection), then closes the socket, so
a later connection is refused at once instead of hanging and being reset.
"""

from __future__ import annotations

import errno

from gunicorn.workers.gthread import TConn
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


class ThreadWorker(GunicornThreadWorker):
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
