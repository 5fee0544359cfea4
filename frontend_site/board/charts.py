"""A player's rank by day as a small inline SVG line chart, laid out here so the template only
writes numbers: rank 1 (the best) at the top, no script, no inline style (the site's content
security policy allows neither); the look comes from classes in static/board/leaderboard.css."""

from __future__ import annotations

from dataclasses import dataclass

from frontend_site.board.backend_client import HistoryPoint

WIDTH = 640
HEIGHT = 200
LEFT = 56  # room for the rank labels
RIGHT = 16
TOP = 16
BOTTOM = 32  # room for the date labels


@dataclass(frozen=True, slots=True)
class Dot:
    # Written as text here: the template would localize a float.
    x: str
    y: str


@dataclass(frozen=True, slots=True)
class RankChart:
    width: int
    height: int
    line: str  # the polyline's points: "x,y x,y ..."
    dots: tuple[Dot, ...]
    best: int
    worst: int
    first_date: str
    last_date: str
    summary: str  # the aria-label
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH - RIGHT


def _day(point: HistoryPoint) -> str:
    return f"{point.date.day} {point.date:%B}"


def rank_chart(points: tuple[HistoryPoint, ...], *, name: str, days: int) -> RankChart:
    """Lay out ``points`` (oldest first, at least one): x by date, y by rank, best at the top."""
    first, last = points[0], points[-1]
    best = min(point.rank for point in points)
    worst = max(point.rank for point in points)
    span_days = (last.date - first.date).days
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x(point: HistoryPoint) -> float:
        if span_days == 0:
            return LEFT + plot_width / 2
        return LEFT + (point.date - first.date).days / span_days * plot_width

    def y(point: HistoryPoint) -> float:
        if worst == best:
            return TOP + plot_height / 2
        return TOP + (point.rank - best) / (worst - best) * plot_height

    dots = tuple(Dot(x=f"{x(point):.1f}", y=f"{y(point):.1f}") for point in points)
    if len(points) == 1:
        summary = f"{name}’s rank over the last {days} days: #{first.rank:,} on {_day(first)}."
    else:
        summary = (
            f"{name}’s rank over the last {days} days: #{first.rank:,} on {_day(first)}, "
            f"#{last.rank:,} on {_day(last)}; best #{best:,}, lowest #{worst:,}."
        )
    return RankChart(
        width=WIDTH,
        height=HEIGHT,
        line=" ".join(f"{dot.x},{dot.y}" for dot in dots),
        dots=dots,
        best=best,
        worst=worst,
        first_date=_day(first),
        last_date=_day(last),
        summary=summary,
    )
