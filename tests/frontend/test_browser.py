"""The leaderboard in headless Chromium: Refresh Scores re-renders the table in place."""

import os
import re
import shutil
from pathlib import Path

import pytest

from common.local_servers import ROOT
from tests.frontend.conftest import seed_players, submit_score

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    given = os.environ.get("CHROMIUM_PATH")
    if given:
        return given if Path(given).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


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
        missing.append("Chromium (apt-get install chromium, or set CHROMIUM_PATH)")
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
