"""GET /players/<id>/ for boards that reset, over a CannedBackend: the rank over the last 30
days as an inline SVG chart with its numbers in a table, movement, and the period asked for."""

import itertools
import re

import pytest

from tests.frontend.seasons import make_entry

HOSTILE = '<img src=x onerror="alert(1)">'
ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
PLAYER = "/leaderboards/global/players/p2"


def make_standing(name: str = "Middle Player", rank_change: int | None = 2, **fields) -> dict:
    around = [
        make_entry(1, "Above", 0),
        make_entry(2, name, rank_change),
        make_entry(3, "Below", -1),
    ]
    return {
        "leaderboard": "global",
        "period": None,
        "player_id": "p2",
        "name": name,
        "score": 9_998,
        "rank": 2,
        "rank_change": rank_change,
        "percentile": 66.7,
        "total": 3,
        "around": around,
        **fields,
    }


def make_history(points: list[tuple[str, int, int]]) -> dict:
    return {
        "leaderboard": "global",
        "player_id": "p2",
        "days": 30,
        "points": [{"date": day, "score": score, "rank": rank} for day, score, rank in points],
    }


POINTS = [("2026-11-25", 700, 5), ("2026-11-28", 900, 2), ("2026-12-02", 650, 9)]


def dots(page: str) -> list[tuple[float, float]]:
    found = re.findall(r'<circle class="chart-dot" cx="([\d.]+)" cy="([\d.]+)" r="\d"/>', page)
    return [(float(x), float(y)) for x, y in found]


def history_rows(page: str) -> list[tuple[str, str, str]]:
    table = re.search(r'<table class="history-table">.*?</table>', page, re.S)[0]
    return re.findall(
        r'<tr><td><time datetime="([\d-]+)">[^<]*</time></td><td class="col-score">([^<]*)</td>'
        r"<td>([^<]*)</td></tr>",
        table,
    )


@pytest.fixture
def player(canned_backend):
    canned_backend.answer(PLAYER, make_standing())
    canned_backend.answer(f"{PLAYER}/history", make_history(POINTS))
    return canned_backend


def test_the_rank_history_is_an_svg_chart_with_the_best_rank_at_the_top(player, client):
    response = client.get("/players/p2/")

    assert response.status_code == 200
    page = response.content.decode()
    assert player.queries(f"{PLAYER}/history")[-1]["days"] == "30"
    svg = re.search(r"<svg class=\"rank-chart\"[^>]*>", page)[0]
    assert 'role="img"' in svg
    assert (
        'aria-label="Middle Player’s rank over the last 30 days: #5 on 25 November, '
        '#9 on 2 December; best #2, lowest #9."'
    ) in svg
    (x1, y5), (x2, y2), (x3, y9) = dots(page)
    assert x1 < x2 < x3  # oldest on the left, by date: 3 days, then 4
    assert (x2 - x1) / (x3 - x2) == pytest.approx(3 / 4, abs=0.01)  # coordinates to 0.1
    assert y2 < y5 < y9  # rank 2, the best, highest up; rank 9 lowest
    assert re.search(r'<polyline class="chart-line" points="[\d., ]+" fill="none"/>', page)
    assert ">#2</text>" in page and ">#9</text>" in page


def test_the_same_numbers_are_in_a_table_by_date(player, client):
    page = client.get("/players/p2/").content.decode()

    assert history_rows(page) == [
        ("2026-11-25", "700", "#5"),
        ("2026-11-28", "900", "#2"),
        ("2026-12-02", "650", "#9"),
    ]
    assert '<caption id="history-caption">Rank and score by day</caption>' in page


def test_the_chart_needs_no_script_or_inline_style_under_the_pages_policy(player, client):
    response = client.get("/players/p2/")
    page = response.content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "<script" not in main and "<style" not in page and " style=" not in page


def test_with_no_points_the_page_says_so_without_a_chart(player, client):
    player.answer(f"{PLAYER}/history", make_history([]))

    page = client.get("/players/p2/").content.decode()

    assert "No ranks in the last 30 days yet." in page
    assert '<svg class="rank-chart"' not in page and "history-table" not in page


def labels(page: str, kind: str) -> list[tuple[float, float, str, str]]:
    """(x, y, text-anchor, text) of the chart's rank or date labels."""
    found = re.findall(
        rf'<text class="chart-label chart-label-{kind}" x="([\d.-]+)" y="([\d.]+)" '
        r'text-anchor="(\w+)">([^<]*)</text>',
        page,
    )
    return [(float(x), float(y), anchor, text) for x, y, anchor, text in found]


def test_a_single_point_is_a_dot_level_with_its_rank_over_its_one_date(player, client):
    player.answer(f"{PLAYER}/history", make_history([("2026-12-02", 500, 4)]))

    page = client.get("/players/p2/").content.decode()

    [(x, y)] = dots(page)
    assert "#4 on 2 December." in page
    [(_, label_y, _, rank)] = labels(page, "rank")
    assert rank == "#4"
    assert abs(label_y - y) < 6  # beside its label, not half a chart below it
    [(date_x, _, anchor, date)] = labels(page, "date")  # one date, not the same one twice
    assert (date, anchor, date_x) == ("2 December", "middle", x)


def test_thirty_days_keep_their_dots_apart_and_two_date_labels(player, client):
    points = [(f"2026-11-{day:02}", 1000 + day, 31 - day) for day in range(1, 31)]
    player.answer(f"{PLAYER}/history", make_history(points))

    page = client.get("/players/p2/").content.decode()

    found = dots(page)
    assert len(found) == 30
    radius = int(re.search(r'<circle class="chart-dot" [^>]* r="(\d)"/>', page)[1])
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(found)]
    assert min(gaps) > 2 * radius  # the dots do not touch
    assert [text for *_, text in labels(page, "date")] == ["1 November", "30 November"]
    assert [text for *_, text in labels(page, "rank")] == ["#1", "#30"]
    assert found[-1][1] < found[0][1]  # from #30 up to #1


def test_a_long_rank_gets_room_for_its_label(player, client):
    points = [("2026-12-01", 10, 1_234_567), ("2026-12-02", 20, 999)]
    player.answer(f"{PLAYER}/history", make_history(points))

    page = client.get("/players/p2/").content.decode()

    assert [text for *_, text in labels(page, "rank")] == ["#999", "#1,234,567"]
    # Anchored at its end left of the plot, "#1,234,567" (10 characters at 13 units, about 7.6
    # each) starts inside the drawing.
    x, _, anchor, _ = labels(page, "rank")[1]
    assert anchor == "end" and x - 10 * 7.6 >= 0


def test_without_the_history_endpoint_the_page_is_shown_without_that_part(player, client):
    del player.answers[f"/api/v1{PLAYER}/history"]  # the backend's JSON 404, as before seasons

    response = client.get("/players/p2/")

    assert response.status_code == 200
    assert "Middle Player" in response.content.decode()
    assert "rank-history" not in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        b"<html>oops</html>",
        {"days": 30, "points": [{"date": "yesterday", "score": 1, "rank": 1}]},
        {"days": 30, "points": [{"date": "2026-12-01", "score": "1", "rank": 1}]},
        {"days": 30, "points": {"2026-12-01": 1}},
    ],
)
def test_a_malformed_history_leaves_the_standing_and_says_the_chart_is_unavailable(
    player, client, body
):
    player.answer(f"{PLAYER}/history", body)

    response = client.get("/players/p2/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Middle Player" in page
    assert "The rank history can’t be shown right now." in page
    assert "rank-chart" not in page


def test_a_malformed_rank_change_on_the_standing_gives_the_friendly_503(player, client):
    player.answer(PLAYER, make_standing(rank_change="2"))

    response = client.get("/players/p2/")

    assert response.status_code == 503
    assert "Live scores are taking a short break" in response.content.decode()


def test_a_hostile_name_is_escaped_in_the_chart_label_the_rows_and_the_title(player, client):
    player.answer(PLAYER, make_standing(name=HOSTILE))

    page = client.get("/players/p2/").content.decode()

    assert HOSTILE not in page
    assert f'aria-label="{ESCAPED}’s rank over the last 30 days' in page
    assert f'<a class="player-link" href="/players/p2/">{ESCAPED}</a>' in page
    assert f"<title>{ESCAPED} · Global · Gaming Leaderboard</title>" in page


def test_the_player_and_the_neighbours_show_how_they_moved(player, client):
    page = client.get("/players/p2/").content.decode()

    stat = re.search(r'<span class="stat-note">of 3.*?</span> today</span>', page, re.S)[0]
    assert "▲2" in stat and "(up 2 places)" in stat
    below = re.search(r'<tr [^>]*data-player-id="p3".*?</tr>', page, re.S)[0]
    assert "▼1" in below and "(down 1 place)" in below


def test_a_past_period_is_asked_for_and_shows_no_movement(player, client):
    player.answer(
        "/leaderboards/global-weekly/players/p2",
        make_standing(
            leaderboard="global-weekly",
            period={
                "id": "2026-W48",
                "start": "2026-11-23T00:00:00+01:00",
                "end": "2026-11-30T00:00:00+01:00",
            },
        ),
    )
    player.answer("/leaderboards/global-weekly/players/p2/history", make_history(POINTS))

    response = client.get("/players/p2/?board=global-weekly&period=2026-W48")

    assert response.status_code == 200
    page = response.content.decode()
    asked = player.queries("/leaderboards/global-weekly/players/p2")[-1]
    assert asked["period"] == "2026-W48"
    assert '<p class="eyebrow">Global Weekly · 2026-W48</p>' in page
    assert 'class="move' not in page
    assert 'href="/?board=global-weekly&amp;period=2026-W48"' in page  # back to that week
    assert len(dots(page)) == 3


def test_a_hostile_period_on_a_player_page_gets_the_friendly_404(player, client):
    response = client.get("/players/p2/?period=%3Cscript%3E")

    assert response.status_code == 404
    assert "We couldn’t find that player" in response.content.decode()
