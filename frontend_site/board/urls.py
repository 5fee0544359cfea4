from django.urls import path, re_path

from frontend_site.board import views

app_name = "board"

urlpatterns = [
    path("", views.leaderboard, name="leaderboard"),
    path("table/", views.leaderboard_table, name="table"),
    re_path(r"^players/(?P<player_id>[A-Za-z0-9_.:-]{1,64})/$", views.player, name="player"),
    re_path(
        r"^players/(?P<player_id>[A-Za-z0-9_.:-]{1,64})/part/$",
        views.player_part,
        name="player_part",
    ),
    path("data.json", views.data_json, name="data_json"),
    path("favicon.ico", views.root_file, {"name": "favicon.ico"}, name="favicon"),
    path(
        "apple-touch-icon.png",
        views.root_file,
        {"name": "apple-touch-icon.png"},
        name="apple_touch_icon",
    ),
    path("robots.txt", views.root_file, {"name": "robots.txt"}, name="robots"),
]
