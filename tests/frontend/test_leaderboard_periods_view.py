"""GET / for boards that reset, over a CannedBackend: the tabs, when the board resets, the
previous period's winners, and how each player moved since the day began."""

import re
from datetime import datetime, timedelta

import pytest

from tests.frontend.seasons import (
    PARIS,
    current_period,
    family,
    make_board,
    make_entries,
    make_entry,
    make_period,
)

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
LAST_WEEK = make_period(
    "2026-W48", datetime(2026, 11, 23, tzinfo=PARIS), datetime(2026, 11, 30, tzinfo=PARIS)
)


def tabs(page: str) -> list[tuple[str, str, str | None]]:
    """(label, href, aria-current) of each tab, in order."""
    nav = re.search(r'<nav class="board-tabs".*?</nav>', page, re.S)
    if nav is None:
        return []
    links = re.findall(
        r'<a class="board-tab[^"]*" href="([^"]*)"( aria-current="(\w+)")?>([^<]*)</a>', nav[0]
    )
    return [
        (label, href.replace("&amp;", "&"), current or None) for href, _, current, label in links
    ]


def row_of(page: str, player_id: str) -> str:
    return re.search(rf'<tr [^>]*data-player-id="{player_id}".*?</tr>', page, re.S)[0]


@pytest.fixture
def boards(canned_backend):
    """The canned backend with the default board's family and a board of its own, each with
    one row."""
    canned_backend.answer("/leaderboards", family())
    for slug in ("global", "global-daily", "global-weekly", "speed-runs"):
        info = next(b for b in family()["leaderboards"] if b["slug"] == slug)
        canned_backend.answer(
            f"/leaderboards/{slug}/entries",
            make_entries(slug, [make_entry(1, f"Top of {slug}")], info["period"]),
        )
    return canned_backend


def test_the_tabs_are_all_time_this_week_today_this_month_as_plain_links(boards, client):
    overview = family()
    monthly = current_period("2026-12", ends_in=timedelta(days=20))
    overview["leaderboards"].append(
        make_board("global-monthly", "monthly", "global", monthly, title="This month")
    )
    boards.answer("/leaderboards", overview)

    page = client.get("/").content.decode()

    assert tabs(page) == [
        ("All-time", "/", "page"),
        ("This week", "/?board=global-weekly", None),
        ("Today", "/?board=global-daily", None),
        ("This month", "/?board=global-monthly", None),
    ]
    assert "<script" not in page.split('<nav class="board-tabs"', 1)[1].split("</nav>", 1)[0]


def test_the_selected_tab_is_marked_as_the_current_page(boards, client):
    page = client.get("/?board=global-weekly").content.decode()

    assert [(label, current) for label, _, current in tabs(page)] == [
        ("All-time", None),
        ("This week", "page"),
        ("Today", None),
    ]
    assert "Top of global-weekly" in page


def test_a_board_nothing_feeds_has_no_tabs(boards, client):
    page = client.get("/?board=speed-runs").content.decode()

    assert tabs(page) == []
    assert "Resets in" not in page


@pytest.mark.parametrize(
    ("ends_in", "text"),
    [
        (timedelta(hours=5, minutes=59), "Resets in 5 h"),
        (timedelta(minutes=35, seconds=50), "Resets in 35 min"),
        (timedelta(days=3, hours=23), "Resets in 3 d"),
    ],
)
def test_a_board_that_resets_says_when_rounded_down(boards, client, ends_in, text):
    daily = current_period("2026-12-02", ends_in=ends_in)
    boards.answer("/leaderboards", family(daily=daily))
    boards.answer(
        "/leaderboards/global-daily/entries",
        make_entries("global-daily", [make_entry(1, "A")], daily),
    )

    page = client.get("/?board=global-daily").content.decode()

    assert f'<span class="resets-in">{text}</span>' in page


@pytest.mark.parametrize(
    ("board", "label"),
    [("global-weekly", "Last week’s winners"), ("global-daily", "Yesterday’s winners")],
)
def test_a_board_that_resets_links_to_the_previous_periods_winners(boards, client, board, label):
    page = client.get(f"/?board={board}").content.decode()

    assert (
        f'<a class="previous-period" href="/?board={board}&amp;period=previous">{label}</a>' in page
    )


def test_the_all_time_board_neither_resets_nor_has_a_previous_period(boards, client):
    page = client.get("/").content.decode()

    assert "Resets in" not in page
    assert "previous-period" not in page


def test_last_weeks_page_names_the_week_and_lists_past_winners_without_markers(boards, client):
    rows = [make_entry(1, "Champion", rank_change=4), make_entry(2, HOSTILE, rank_change=None)]
    boards.answer(
        "/leaderboards/global-weekly/entries", make_entries("global-weekly", rows, LAST_WEEK)
    )
    winner = {"player_id": "p2", "name": HOSTILE, "score": 9_000}
    older = make_period(
        "2026-W47", datetime(2026, 11, 16, tzinfo=PARIS), datetime(2026, 11, 23, tzinfo=PARIS)
    )
    this_week = family()["leaderboards"][2]["period"]
    boards.answer(
        "/leaderboards/global-weekly/periods",
        {
            "leaderboard": "global-weekly",
            "reset": "weekly",
            "timezone": "Europe/Paris",
            "periods": [
                {**this_week, "players": 3, "winner": None, "closed": False},
                {
                    **LAST_WEEK,
                    "players": 2,
                    "winner": {**winner, "name": "Champion"},
                    "closed": True,
                },
                {**older, "players": 1, "winner": winner, "closed": True},
            ],
        },
    )

    response = client.get("/?board=global-weekly&period=previous")

    assert response.status_code == 200
    page = response.content.decode()
    assert boards.queries("/leaderboards/global-weekly/entries")[-1]["period"] == "previous"
    assert '<h1 id="board-heading">Week of 23 November 2026</h1>' in page
    assert "Week of 23 November 2026 · " in page  # the title
    assert 'class="current-period" href="/?board=global-weekly">Back to this week</a>' in page
    assert "Resets in" not in page and "previous-period" not in page
    assert 'class="move' not in page
    # The tab of its board is marked, though not as this very page.
    assert ("This week", "/?board=global-weekly", "true") in tabs(page)
    # Past winners: the ended weeks by id (the current one is not over), this one marked.
    assert '<a href="/?board=global-weekly&amp;period=2026-W48" aria-current="page">' in page
    assert (
        '<a href="/?board=global-weekly&amp;period=2026-W47">Week of 16 November 2026</a>' in page
    )
    assert "period=2026-W49" not in page
    assert HOSTILE not in page and page.count(ESCAPED) == 2  # a row and a past winner
    # Its player links and pages stay on that week, whatever week it is when followed.
    assert 'href="/players/p1/?board=global-weekly&amp;period=2026-W48"' in page


def test_a_period_by_id_is_passed_to_the_backend(boards, client):
    boards.answer(
        "/leaderboards/global-weekly/entries", make_entries("global-weekly", [], LAST_WEEK)
    )

    assert client.get("/?board=global-weekly&period=2026-W48").status_code == 200
    assert boards.queries("/leaderboards/global-weekly/entries")[-1]["period"] == "2026-W48"


def test_without_the_periods_endpoint_the_previous_page_is_shown_without_the_list(boards, client):
    boards.answer(
        "/leaderboards/global-weekly/entries", make_entries("global-weekly", [], LAST_WEEK)
    )
    # No /periods answer: the backend's JSON 404, as one from before seasons gives.

    response = client.get("/?board=global-weekly&period=previous")

    assert response.status_code == 200
    assert "Week of 23 November 2026" in response.content.decode()
    assert "Past winners" not in response.content.decode()


def test_each_row_shows_how_far_it_moved_with_words_for_screen_readers(boards, client):
    rows = [
        make_entry(1, "Climber", rank_change=3),
        make_entry(2, "Faller", rank_change=-2),
        make_entry(3, "Newcomer", rank_change=None),
        make_entry(4, "Stayer", rank_change=0),
        make_entry(5, "Rocket", rank_change=1),
    ]
    boards.answer("/leaderboards/global/entries", make_entries("global", rows))

    page = client.get("/").content.decode()

    assert '<span class="move move-up" aria-hidden="true">▲3</span>' in row_of(page, "p1")
    assert '<span class="visually-hidden"> (up 3 places)</span>' in row_of(page, "p1")
    assert '<span class="move move-down" aria-hidden="true">▼2</span>' in row_of(page, "p2")
    assert '<span class="visually-hidden"> (down 2 places)</span>' in row_of(page, "p2")
    assert '<span class="move move-new" aria-hidden="true">new</span>' in row_of(page, "p3")
    assert '<span class="visually-hidden"> (new today)</span>' in row_of(page, "p3")
    assert 'class="move' not in row_of(page, "p4")
    assert "(up 1 place)" in row_of(page, "p5")


def test_an_older_backend_without_the_new_fields_gives_the_board_as_before(canned_backend, client):
    canned_backend.answer(
        "/leaderboards",
        {
            "leaderboards": [
                {
                    "slug": "global",
                    "title": "Global",
                    "order": "desc",
                    "operator": "best",
                    "players": 1,
                }
            ]
        },
    )
    row = {"rank": 1, "player_id": "p1", "name": "Old Timer", "score": 5}
    canned_backend.answer("/leaderboards/global/entries", {"total": 1, "entries": [row]})

    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Old Timer" in page
    assert tabs(page) == [] and "Resets in" not in page
    assert 'class="move' not in page  # absent is not "new"


def test_without_the_overview_the_board_is_shown_without_tabs(canned_backend, client):
    canned_backend.answer(
        "/leaderboards/global/entries", make_entries("global", [make_entry(1, "Solo")])
    )

    response = client.get("/")

    assert response.status_code == 200
    assert "Solo" in response.content.decode() and tabs(response.content.decode()) == []


@pytest.mark.parametrize(
    "path",
    [
        "/?board=global-weekly&period=<script>",
        "/?board=global-weekly&period=2026-W48%27%3B--",
        "/?board=global-weekly&period=" + "9" * 60,
        "/?board=../../etc&period=previous",
    ],
)
def test_a_hostile_period_or_board_gets_the_friendly_404_page(boards, client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "We couldn’t find that" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_an_unknown_period_or_one_of_a_board_that_never_resets_is_a_friendly_404(boards, client):
    # The backend knows no such week; "global" never resets, so has no previous period.
    boards.answer(
        "/leaderboards/global-weekly/entries",
        {"error": {"code": "not_found", "message": "No such period."}},
        status=404,
    )

    for path in ("/?board=global-weekly&period=2026-W01", "/?period=previous"):
        response = client.get(path)

        assert response.status_code == 404, path
        assert "We couldn’t find that period" in response.content.decode(), path


@pytest.mark.parametrize(
    "broken",
    [
        {"rank_change": "up"},
        {"rank_change": 1.5},
        {"rank_change": True},
    ],
)
def test_a_malformed_rank_change_gives_the_friendly_503(boards, client, broken):
    boards.answer(
        "/leaderboards/global/entries", make_entries("global", [make_entry(1, "A") | broken])
    )

    response = client.get("/")

    assert response.status_code == 503
    assert "Live scores are taking a short break" in response.content.decode()


@pytest.mark.parametrize(
    "period",
    [
        {"id": "2026-W49"},
        {"id": 49, "start": "2026-11-30T00:00:00+01:00", "end": "2026-12-07T00:00:00+01:00"},
        {"id": "2026-W49", "start": "2026-11-30T00:00:00", "end": "2026-12-07T00:00:00"},
        {"id": "2026-W49", "start": "last monday", "end": "next monday"},
        "2026-W49",
    ],
)
def test_a_malformed_period_gives_the_friendly_503(boards, client, period):
    boards.answer("/leaderboards/global-weekly/entries", make_entries("global-weekly", [], period))

    response = client.get("/?board=global-weekly")

    assert response.status_code == 503
    assert "Traceback" not in response.content.decode()


def test_a_malformed_overview_gives_the_last_good_tabs_marked_stale(
    boards, client, frontend_settings
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every view asks the backend
    assert len(tabs(client.get("/").content.decode())) == 3

    boards.answer("/leaderboards", {"leaderboards": [{"slug": "global", "title": "G", "reset": 7}]})
    response = client.get("/")

    assert (response.status_code, response["X-Data-Stale"]) == (200, "true")
    assert len(tabs(response.content.decode())) == 3


def test_a_past_period_is_final_its_page_has_no_refresh_its_table_keeps_its_period(boards, client):
    rows = [make_entry(1, "Champion", rank_change=4)]
    boards.answer(
        "/leaderboards/global-weekly/entries", make_entries("global-weekly", rows, LAST_WEEK)
    )

    page = client.get("/?board=global-weekly&period=previous").content.decode()
    table = client.get("/table/?board=global-weekly&period=2026-W48")

    assert "Final standings · " in page
    assert "data-refresh-form" not in page and "Refresh Scores" not in page
    assert table.status_code == 200
    assert "Champion" in table.content.decode() and 'class="move' not in table.content.decode()


def test_an_empty_past_period_says_nobody_scored_without_a_call_to_play(boards, client):
    boards.answer(
        "/leaderboards/global-weekly/entries", make_entries("global-weekly", [], LAST_WEEK)
    )

    page = client.get("/?board=global-weekly&period=previous").content.decode()

    assert '<h1 id="board-heading">Week of 23 November 2026</h1>' in page
    assert "Nobody scored in this period · " in page
    assert '<td colspan="3" class="empty">Nobody scored in this period.</td>' in page
    assert "Final standings" not in page and "be the first to play" not in page
    assert "Refresh Scores" not in page
    # Its board is named by its tab: an eyebrow "This week" over last week would mislead.
    assert 'class="eyebrow"' not in page
    assert (
        '<meta name="description" content="Nobody scored on This week in Week of 23 November '
        '2026.">'
    ) in page


def test_a_past_period_of_a_board_without_tabs_names_its_board_above_it(canned_backend, client):
    this_week = current_period("2026-W49", ends_in=timedelta(days=2))
    cup = make_board("cup", "weekly", None, this_week, title="The Cup")
    canned_backend.answer("/leaderboards", {"leaderboards": [make_board("global"), cup]})
    canned_backend.answer(
        "/leaderboards/cup/entries", make_entries("cup", [make_entry(1, "Winner")], LAST_WEEK)
    )

    page = client.get("/?board=cup&period=previous").content.decode()

    assert tabs(page) == []
    assert '<p class="eyebrow">The Cup</p>' in page
    assert "<title>Week of 23 November 2026 · The Cup · Gaming Leaderboard</title>" in page


def test_an_empty_current_board_still_invites_players_and_refreshes(boards, client):
    boards.answer("/leaderboards/global-weekly/entries", make_entries("global-weekly", []))

    page = client.get("/?board=global-weekly").content.decode()

    assert "No scores yet — be the first to play!" in page and "Refresh Scores" in page


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "All-time"),
        ("/?board=global-weekly", "This week"),
        ("/?board=global-daily", "Today"),
        ("/?board=speed-runs", "Speed Runs"),
    ],
)
def test_a_board_has_one_name_for_its_tab_its_heading_and_the_title(boards, client, path, name):
    page = client.get(path).content.decode()

    assert f'<h1 id="board-heading">{name}</h1>' in page
    assert f"<title>{name} · Gaming Leaderboard</title>" in page
    if tabs(page):
        assert [label for label, _, current in tabs(page) if current] == [name]
    assert 'class="eyebrow"' not in page  # no second name above the heading
    assert "Top players" not in page


def test_a_board_is_named_by_the_title_its_operator_gives_it(boards, client):
    overview = family()
    overview["leaderboards"][2]["title"] = "Weekly <Cup>"  # global-weekly, renamed
    boards.answer("/leaderboards", overview)

    page = client.get("/?board=global-weekly").content.decode()

    assert '<h1 id="board-heading">Weekly &lt;Cup&gt;</h1>' in page
    assert "<title>Weekly &lt;Cup&gt; · Gaming Leaderboard</title>" in page
    assert ("Weekly &lt;Cup&gt;", "/?board=global-weekly", "page") in tabs(page)


def test_every_current_board_has_its_period_line_so_switching_moves_nothing(boards, client):
    for path, line in [
        ("/", '<p class="period-line">Never resets</p>'),
        ("/?board=speed-runs", '<p class="period-line">Never resets</p>'),
        ("/?board=global-weekly", '<p class="period-line"><span class="resets-in">Resets in'),
    ]:
        assert line in client.get(path).content.decode(), path


def test_when_the_backend_goes_away_the_page_keeps_its_tabs_and_waits_for_one_call_only(
    boards, client, frontend_settings, closed_port_url, caplog
):
    frontend_settings.FRONTEND_CACHE_SECONDS = 0  # every view asks the backend
    assert client.get("/?board=global-weekly")["X-Data-Stale"] == "false"

    frontend_settings.BACKEND_URL = closed_port_url
    with caplog.at_level("WARNING", logger="frontend_site.backend"):
        response = client.get("/?board=global-weekly")

    assert (response.status_code, response["X-Data-Stale"]) == (200, "true")
    assert len(tabs(response.content.decode())) == 3
    assert "Resets in" in response.content.decode()
    unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(unreachable) == 1, unreachable  # the rows; the tabs came from the last copy
