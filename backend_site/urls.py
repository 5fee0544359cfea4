from django.contrib import admin
from django.urls import include, path, re_path

from backend_site.rankings.api import views

urlpatterns = [
    path("", include("backend_site.rankings.api.urls")),  # the API first: it is most of the traffic
    path("admin/", admin.site.urls),
    # Anything else is a JSON 404, whatever DEBUG says.
    re_path(r"^(?!admin/|static/).*$", views.not_found),
]

handler400 = "backend_site.rankings.api.views.bad_request"
handler403 = "backend_site.rankings.api.views.forbidden"
handler404 = "backend_site.rankings.api.views.not_found"
handler500 = "backend_site.rankings.api.views.server_error"
