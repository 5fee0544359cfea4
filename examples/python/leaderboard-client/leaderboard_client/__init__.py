"""A client library for accessing Leaderboard ranking API (private backend)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
