"""The leaderboard in headless Chromium: Refresh Scores re-renders the table in place."""

import os
import re
import shutil
from pathlib import Path

import pytest

from common.local_servers import ROOT
from tests.frontend.fixtures.served_sites import seed_players, submit_score

ARTIFACTS = ROOT / "test-artifacts"
# Where Homebrew's cask puts it (scripts/setup-system.sh installs it so on macOS).
MACOS_CHROMIUM = "/Applications/Chromium.app/Contents/MacOS/Chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    given = os.environ.get("CHROMIUM_PATH")
    if given:
        return given if Path(given).exists() else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or (MACOS_CHROMIUM if Path(MACOS_CHROMIUM).exists() else None)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright; the test fails, saying what to install, if absent."""
    missing = []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("the playwright Python package (pip install -r requirements-dev.txt)")
    executable = chromium_path()
    if executable is None:
        missing.append("Chromium (scripts/setup-system.sh test installs it, or set CHROMIUM_PATH)")
    if missing:
        pytest.fail(f"The browser test needs {' and '.join(missing)}.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def player_names(page) -> list[str]:
    return page.locator(".board-table tbody .player-link").all_inner_texts()


@pytest.mark.browser
def test_refresh_scores_moves_the_row_in_place_without_leaving_the_page(
    browser, backend_server, frontend_server, top_scores
):
    names = ["Ada Lovelace", "Grace Hopper", "Linus Torvalds"]
    best, *scores = top_scores(4)
    ids = seed_players(backend_server, names, scores)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(frontend_server.url + "/")
    for _ in range(20):  # the frontend may hold a table from before the seed for a second
        if player_names(page)[:3] == names:
            break
        page.wait_for_timeout(200)
        page.reload()
    assert player_names(page)[:3] == names
    page.evaluate("window.stillTheSamePage = true")

    submit_score(backend_server, player_id=ids[2], score=best)
    for _ in range(20):  # the frontend's cache holds the old table for about a second
        with page.expect_response(lambda response: "/table/" in response.url):
            page.get_by_role("button", name="Refresh Scores").click()
        expect(page.locator("[data-refresh-button]")).to_be_enabled()
        if player_names(page)[0] == "Linus Torvalds":
            break
        page.wait_for_timeout(200)

    assert player_names(page)[:3] == ["Linus Torvalds", "Ada Lovelace", "Grace Hopper"]
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator("[data-refresh-status]")).to_have_text(re.compile(r"^Scores updated"))
    assert not problems, problems
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "leaderboard.png", full_page=True)
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone_page = phone.new_page()
    phone_page.goto(frontend_server.url + f"/players/{ids[2]}/")
    phone_page.screenshot(path=ARTIFACTS / "player-phone.png", full_page=True)
    phone.close()


@pytest.mark.browser
def test_the_tabs_movement_markers_and_rank_chart_work_without_javascript(
    browser, backend_server, frontend_server, top_scores
):
    """The Global / This week / Today tabs are plain links; a player who overtakes others
    since the day's snapshot shows ▲, those passed ▼; the player page draws the rank over
    the last days as an inline SVG with its table. With JavaScript off, within the CSP."""
    import redis

    names = ["Mary Somerville", "Emmy Noether", "Sofia Kovalevskaya"]
    best, *scores = top_scores(4)
    ids = seed_players(backend_server, names, scores)
    # Three days of history for the last player (the days before today, from events), the
    # first player passing her two days ago: her closing ranks were #1, #2, #2.
    backend_server.manage(
        "shell",
        "-c",
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from backend_site.rankings.models import Leaderboard, ScoreEvent\n"
        "board = Leaderboard.objects.get(slug='global')\n"
        f"for days in (3, 2, 1):\n"
        f"    ScoreEvent.objects.create(board=board, period='', player_id='{ids[2]}', "
        f"value={scores[2]} - days * 10, at=timezone.now() - timedelta(days=days))\n"
        f"ScoreEvent.objects.create(board=board, period='', player_id='{ids[0]}', "
        f"value={scores[2]}, at=timezone.now() - timedelta(days=2))\n",
    )
    # A new day's snapshot for the all-time board (as at midnight): movement counts from here.
    client = redis.Redis.from_url(backend_server.env["REDIS_URL"])
    client.delete("lb:{global}:snapday")
    submit_score(backend_server, player_id=ids[0], score=scores[0])  # a write takes the snapshot
    submit_score(backend_server, player_id=ids[2], score=best)  # 3rd to 1st: ▲2

    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto(frontend_server.url + "/")
    for _ in range(20):  # the frontend's cache holds the old table for about a second
        if player_names(page)[:1] == ["Sofia Kovalevskaya"]:
            break
        page.wait_for_timeout(200)
        page.reload()
    tabs = page.locator("nav.board-tabs a.board-tab")
    # Each tab is its board's title in the backend ("Global" is the default board's).
    assert tabs.all_inner_texts() == ["Global", "This week", "Today"]
    expect(page.locator('nav.board-tabs a[aria-current="page"]')).to_have_text("Global")
    row = page.locator(f'.board-table tbody tr[data-player-id="{ids[2]}"]')
    expect(row.locator(".move.move-up")).to_have_text("▲2")
    passed = page.locator(f'.board-table tbody tr[data-player-id="{ids[0]}"]')
    expect(passed.locator(".move.move-down")).to_have_text("▼1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "leaderboard-tabs.png", full_page=True)

    page.get_by_role("link", name="This week").click()
    assert page.url.endswith("/?board=global-weekly")
    expect(page.locator('nav.board-tabs a[aria-current="page"]')).to_have_text("This week")
    expect(page.locator(".resets-in")).to_have_text(
        re.compile(r"^Resets in (\d+ (d|h|min)|under a minute)$")
    )
    # Everyone on this week's board is new since its snapshot.
    expect(page.locator(f'tr[data-player-id="{ids[2]}"] .move.move-new')).to_have_text("new")
    expect(page.locator("a.previous-period")).to_have_text("Last week’s winners")
    page.screenshot(path=ARTIFACTS / "leaderboard-weekly.png", full_page=True)

    page.goto(frontend_server.url + f"/players/{ids[2]}/")
    chart = page.locator('svg.rank-chart[role="img"]')
    expect(chart).to_have_attribute(
        "aria-label", re.compile(r"^Sofia Kovalevskaya’s rank over the last 30 days")
    )
    rows = page.locator("table.history-table tbody tr")
    ranks = [rows.nth(i).locator("td").last.inner_text() for i in range(rows.count())]
    assert ranks == ["#1", "#2", "#2", "#1"]  # three past days and today
    dots = page.locator("circle.chart-dot")
    heights = [float(dots.nth(i).get_attribute("cy")) for i in range(dots.count())]
    assert len(heights) == 4
    assert heights[0] == heights[3] < heights[1] == heights[2]  # rank 1 is drawn highest
    page.screenshot(path=ARTIFACTS / "player-rank-chart.png", full_page=True)
    assert not problems, problems
    context.close()
