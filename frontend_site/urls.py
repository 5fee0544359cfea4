from django.urls import include, path

urlpatterns = [
    path("", include("frontend_site.board.urls")),
]

handler404 = "frontend_site.board.views.not_found"
handler500 = "frontend_site.board.views.server_error"
