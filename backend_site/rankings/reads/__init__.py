"""Answers from the rankings: pages, standings, overviews and rank history, from Redis
in one round trip each (history from the database)."""
