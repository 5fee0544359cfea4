"""The Django admin's middleware, run on the admin's paths only.

Sessions, logged-in users and flash messages exist for the admin alone: the JSON API is
stateless and authenticates every call with the service token (backend_site.access). Run on
every API read, these three cost more CPU than the rest of the middleware together
(see docs/performance.md). They are Django's own classes, unchanged on /admin/; being
subclasses, they also satisfy the admin's system checks (admin.E408-E410).
"""

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware

ADMIN_PREFIX = "/admin/"


class _AdminOnly:
    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PREFIX):
            return super().__call__(request)
        return self.get_response(request)


class AdminSessionMiddleware(_AdminOnly, SessionMiddleware):
    """Django's SessionMiddleware, for /admin/ only."""


class AdminAuthenticationMiddleware(_AdminOnly, AuthenticationMiddleware):
    """Django's AuthenticationMiddleware (request.user), for /admin/ only."""


class AdminMessageMiddleware(_AdminOnly, MessageMiddleware):
    """Django's MessageMiddleware, for /admin/ only."""
