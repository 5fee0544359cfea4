from django.http import HttpResponse
from django.urls import path

from backend_site.rankings.ranking_index import connections
from bench.ceiling import BODY


def floor(request):
    """A view that does nothing: the ceiling's fixed body through Django."""
    return HttpResponse(BODY, content_type="application/json")


def floor_redis(request):
    """The same after one round trip to Redis (PING), through the backend's own client."""
    connections.connection().ping()
    return HttpResponse(BODY, content_type="application/json")


# /healthz: how the bench sees a server is up (with no middleware, nothing else answers it).
urlpatterns = [path("floor", floor), path("floor-redis", floor_redis), path("healthz", floor)]
