"""Response headers of the public site that Django 5.2 does not set on its own."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Send CONTENT_SECURITY_POLICY on every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        # Django's debug error pages use inline styles and scripts; keep them readable.
        if settings.DEBUG and response.status_code >= 400:
            return response
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
