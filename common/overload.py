"""An overloaded request: one that waited past QUEUE_DEADLINE_MS for a thread (or would have).

The gunicorn worker (common/gunicorn_worker.py) marks it in the WSGI environ and lets the site
answer it at once, each in its own way (common.middleware.OverloadMiddleware): the backend
refuses it with a 503; the public site serves what it already has and calls no backend.
"""

from contextvars import ContextVar

OVERLOADED_ENVIRON = "leaderboard.overloaded"

# False while an overloaded request is handled: read what the instance has, ask nobody.
backend_calls_allowed: ContextVar[bool] = ContextVar("backend_calls_allowed", default=True)
