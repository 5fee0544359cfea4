from django.urls import path

from backend_site.rankings.api import (
    audit_views,
    board_views,
    export_views,
    lookup_views,
    moderation_views,
    views,
)

app_name = "rankings"

# The most requested first: Django tries them in order.
urlpatterns = [
    path("api/v1/leaderboards/<slug:slug>/entries", views.entries, name="entries"),
    path(
        "api/v1/leaderboards/<slug:slug>/players/lookup",
        lookup_views.players_lookup,
        name="players-lookup",
    ),
    path("api/v1/leaderboards/<slug:slug>/players/<str:player_id>", views.player, name="player"),
    path("getdata", views.getdata, name="getdata"),
    path("api/v1/leaderboards/<slug:slug>/scores", views.scores, name="scores"),
    path("api/v1/scores/batch", views.scores_batch, name="scores-batch"),
    path("api/v1/leaderboards", board_views.leaderboards, name="leaderboards"),
    path("api/v1/leaderboards/<slug:slug>", board_views.leaderboard, name="leaderboard"),
    path("api/v1/leaderboards/<slug:slug>/periods", views.periods, name="periods"),
    path("api/v1/openapi.json", views.openapi_document, name="openapi"),
    path(
        "api/v1/leaderboards/<slug:slug>/players/<str:player_id>/history",
        views.player_history,
        name="player-history",
    ),
    path(
        "api/v1/leaderboards/<slug:slug>/export.csv",
        export_views.board_export,
        name="board-export",
    ),
    path("api/v1/audit", audit_views.audit, name="audit"),
    path("api/v1/reviews", moderation_views.reviews_list, name="reviews"),
    path("api/v1/players/<str:player_id>", moderation_views.player_erase, name="player-erase"),
    path(
        "api/v1/players/<str:player_id>/rollback",
        moderation_views.player_rollback,
        name="player-rollback",
    ),
    path(
        "api/v1/players/<str:player_id>/sanctions",
        moderation_views.player_sanctions,
        name="player-sanctions",
    ),
    path(
        "api/v1/players/<str:player_id>/sanctions/<str:sanction_id>",
        moderation_views.player_sanction_lift,
        name="player-sanction",
    ),
]
