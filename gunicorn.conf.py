"""Gunicorn settings for both sites (gunicorn reads ./gunicorn.conf.py on its own).

App Runner, `make run`, the tests and the benchmark all start the sites with this file, so
they measure and ship the same server. Each value can be overridden from the environment.
"""

import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2)
# gunicorn's gthread worker, closing its listening socket as soon as it stops (SIGTERM on every
# deploy), so no connection queues onto it only to be reset: common/gunicorn_worker.py.
worker_class = "common.gunicorn_worker.ThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Longer than the load balancer's idle timeout (an ALB's is 60 s): the balancer, not the site,
# closes an idle kept-alive connection, so it never sends a request on one we are closing
# (which it would answer 502). Idle connections wait in gthread's poller, not in a thread.
keepalive = 75
reuse_port = True  # a socket per worker: the kernel spreads keep-alive connections evenly
timeout = 30
graceful_timeout = 10
# Our own middleware logs each request with its id; gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No gunicornc control socket: every gunicorn of a user shares one default path, so the two
# sites (and the test servers) would take it from each other; nothing here uses it.
control_socket_disable = True
# Leave "X-Forwarded-For" to the application, which trusts only configured proxies.
forwarded_allow_ips = "127.0.0.1,::1"

# gunicorn's own lines (start-up, workers, errors): JSON objects with LOG_FORMAT=json, as the
# sites' are, so a CloudWatch query reads every line; otherwise its usual text, with the pid
# that the sites' logging set-up (common.logging) stops records from carrying. A logger class
# rather than logconfig_dict, which would also turn on gunicorn's access log (a second line
# per request, and its cost).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # even when started elsewhere

from gunicorn.glogging import Logger  # noqa: E402

from common.logging import JsonFormatter, ProcessFormatter  # noqa: E402

JSON_LINES = os.environ.get("LOG_FORMAT", "").strip().lower() == "json"


class SiteLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        if JSON_LINES:
            formatter = JsonFormatter()
        else:
            formatter = ProcessFormatter(self.error_fmt, self.datefmt)
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)


logger_class = SiteLogger
