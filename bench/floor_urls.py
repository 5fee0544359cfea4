from django.http import HttpResponse
from django.urls import path

from bench.ceiling import BODY


def floor(request):
    """A view that does nothing: the ceiling's fixed body through Django."""
    return HttpResponse(BODY, content_type="application/json")


# /healthz: how the bench sees a server is up (with no middleware, nothing else answers it).
urlpatterns = [path("floor", floor), path("healthz", floor)]
