"""The Django admin for players, boards, scores, moderation and webhooks; every save goes
through the services, so Redis stays in step with the database. One module per area;
importing them registers their admins."""

from backend_site.rankings.admin import boards, moderation, players, webhooks

__all__ = ["boards", "moderation", "players", "webhooks"]
