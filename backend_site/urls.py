from django.contrib import admin
from django.urls import include, path, re_path

from backend_site.rankings import views

urlpatterns = [
    path("", include("backend_site.rankings.urls")),  # the API first: it is most of the traffic
    path("admin/", admin.site.urls),
    # Anything else is a JSON 404, whatever DEBUG says.
    re_path(r"^(?!admin/|static/).*$", views.not_found),
]

handler400 = "backend_site.rankings.views.bad_request"
handler403 = "backend_site.rankings.views.forbidden"
handler404 = "backend_site.rankings.views.not_found"
handler500 = "backend_site.rankings.views.server_error"
