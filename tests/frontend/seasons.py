"""Builders of the backend's JSON for boards that reset (the seasons contract), for the tests
of the pages over a CannedBackend."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

PARIS = timezone(timedelta(hours=1))


def make_period(period_id: str, start: datetime, end: datetime) -> dict:
    return {"id": period_id, "start": start.isoformat(), "end": end.isoformat()}


def current_period(period_id: str = "2026-W49", *, ends_in: timedelta) -> dict:
    """A period that began a while ago and ends ``ends_in`` from now."""
    end = datetime.now(PARIS) + ends_in
    return make_period(period_id, end - timedelta(days=7), end)


def make_board(
    slug: str, reset: str = "never", source: str | None = None, period=None, title: str = ""
) -> dict:
    return {
        "slug": slug,
        "title": title or slug.replace("-", " ").title(),
        "order": "desc",
        "operator": "best",
        "players": 4,
        "reset": reset,
        "timezone": "Europe/Paris",
        "source": source,
        "period": period,
    }


def make_entry(rank: int, name: str, rank_change: int | None = 0, **fields) -> dict:
    row = {
        "rank": rank,
        "player_id": fields.pop("player_id", f"p{rank}"),
        "name": name,
        "score": fields.pop("score", 10_000 - rank),
        "rank_change": rank_change,
    }
    return {**row, **fields}


def make_entries(board: str, rows: list[dict], period: dict | None = None) -> dict:
    return {
        "leaderboard": board,
        "period": period,
        "total": len(rows),
        "offset": 0,
        "limit": 25,
        "entries": rows,
    }


def family(weekly: dict | None = None, daily: dict | None = None) -> dict:
    """The overview of the default board, the boards it feeds, and a board of its own, titled
    as an operator would name them."""
    weekly = weekly or current_period("2026-W49", ends_in=timedelta(days=3, hours=2))
    daily = daily or current_period("2026-12-02", ends_in=timedelta(hours=5, minutes=30))
    return {
        "leaderboards": [
            make_board("global", title="All-time"),
            make_board("global-daily", "daily", "global", daily, title="Today"),
            make_board("global-weekly", "weekly", "global", weekly, title="This week"),
            make_board("speed-runs"),
        ]
    }
