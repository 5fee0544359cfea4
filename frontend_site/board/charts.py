"""A player's rank by day as a small inline SVG line chart, laid out here so the template only
writes numbers: rank 1 (the best) at the top, no script, no inline style (the site's content
security policy allows neither); the look comes from classes in static/board/leaderboard.css.

The drawing is WIDTH units wide and the stylesheet keeps it about that many CSS pixels wide on
a phone and at most 1.2 times that on a desktop, so LABEL_SIZE-unit labels read at 12-16 px.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontend_site.board.backend_client import HistoryPoint

WIDTH = 320
HEIGHT = 160
RIGHT = 12
TOP = 14
BOTTOM = 30  # room for the date labels
LABEL_SIZE = 13  # the labels' font size in drawing units (leaderboard.css, .chart-label)
# Room for a rank label: about this many units a character at LABEL_SIZE, and a gap.
CHARACTER_WIDTH = 7.6
LABEL_GAP = 8
# Dots shrink when many days share the width, so that neighbours stay apart.
DOT_RADIUS = 4
SMALL_DOT_RADIUS = 3
MANY_POINTS = 15


@dataclass(frozen=True, slots=True)
class Dot:
    # Written as text here: the template would localize a float.
    x: str
    y: str


@dataclass(frozen=True, slots=True)
class Label:
    x: str
    y: str
    anchor: str  # the SVG text-anchor: start, middle or end
    text: str


@dataclass(frozen=True, slots=True)
class RankChart:
    width: int
    height: int
    left: int
    line: str  # the polyline's points: "x,y x,y ..."
    dots: tuple[Dot, ...]
    dot_radius: int
    rank_labels: tuple[Label, ...]  # the best rank at the top, the lowest at the bottom
    date_labels: tuple[Label, ...]  # one per distinct date shown: the first and the last
    summary: str  # the aria-label
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT


def _day(point: HistoryPoint) -> str:
    return f"{point.date.day} {point.date:%B}"


def _units(value: float) -> str:
    return f"{value:.1f}"


def rank_chart(points: tuple[HistoryPoint, ...], *, name: str, days: int) -> RankChart:
    """Lay out ``points`` (oldest first, at least one): x by date, y by rank, best at the top.

    One day is a dot in the middle, level with its rank's label at the top, over its one date;
    days all at the same rank are a line along the top.
    """
    first, last = points[0], points[-1]
    best = min(point.rank for point in points)
    worst = max(point.rank for point in points)
    rank_texts = [f"#{best:,}"] + ([f"#{worst:,}"] if worst != best else [])
    left = round(max(len(text) for text in rank_texts) * CHARACTER_WIDTH + 2 * LABEL_GAP)
    span_days = (last.date - first.date).days
    plot_width = WIDTH - left - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x(point: HistoryPoint) -> float:
        if span_days == 0:
            return left + plot_width / 2
        return left + (point.date - first.date).days / span_days * plot_width

    def y(point: HistoryPoint) -> float:
        if worst == best:
            return TOP
        return TOP + (point.rank - best) / (worst - best) * plot_height

    dots = tuple(Dot(x=_units(x(point)), y=_units(y(point))) for point in points)
    baseline = LABEL_SIZE * 0.35  # from a label's middle to its baseline
    rank_x = _units(left - LABEL_GAP)
    rank_labels = tuple(
        Label(x=rank_x, y=_units(level + baseline), anchor="end", text=text)
        for level, text in zip((TOP, TOP + plot_height), rank_texts, strict=False)
    )
    date_y = _units(HEIGHT - 9)
    if span_days == 0:
        date_labels = (Label(x=dots[0].x, y=date_y, anchor="middle", text=_day(first)),)
    else:
        date_labels = (
            Label(x=_units(left), y=date_y, anchor="start", text=_day(first)),
            Label(x=_units(WIDTH - RIGHT), y=date_y, anchor="end", text=_day(last)),
        )
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
        left=left,
        line=" ".join(f"{dot.x},{dot.y}" for dot in dots),
        dots=dots,
        dot_radius=SMALL_DOT_RADIUS if len(points) > MANY_POINTS else DOT_RADIUS,
        rank_labels=rank_labels,
        date_labels=date_labels,
        summary=summary,
    )
