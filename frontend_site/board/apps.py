from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "frontend_site.board"
    verbose_name = "Public leaderboard"
