"""The public pages audited as a visitor's browser sees them, served by gunicorn over a seeded
backend, at a phone's size (375 x 812) and a desktop's (1280 x 800):

- axe-core (pinned in tests/frontend/audit/, `npm ci` by the Makefile) run in headless Chromium
  on the board, a past period, a player and the 404 page: no violation of any rule it runs by
  default (WCAG 2 A and AA, and its best practices);
- the contrast of the gradient buttons measured from the rendered pixels;
- the layout: room between the card and the footer, no shift between boards, chart labels of
  at least 12 px on a phone;
- Lighthouse (pinned too) on the three pages: Accessibility, Best Practices and SEO at 100,
  Performance at least 95.

Each page is opened once per size (``visits``) and measured for every test at once. Lighthouse
runs in node processes of its own, each with its own Chrome: the desktop runs while the pages
are visited, the phone runs after, alone (see the Lighthouse test for why). They do not depend
on the database engine, so they run in the SQLite pass only.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import time
from dataclasses import dataclass, field

import pytest

from common.local_servers import ROOT
from tests.frontend.fixtures.served_sites import eventually, get, seed_players
from tests.frontend.pixels import contrast, luminance, png_pixels
from tests.frontend.test_browser import CHROMIUM_ARGS, chromium_path

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite_only("the pages and their audits are the same on either database"),
]

ARTIFACTS = ROOT / "test-artifacts"
AUDIT_DIR = ROOT / "tests" / "frontend" / "audit"
AXE = AUDIT_DIR / "node_modules" / "axe-core" / "axe.min.js"
LIGHTHOUSE = AUDIT_DIR / "lighthouse.mjs"
# Phones draw two device pixels a CSS pixel, as most do: the contrast is measured on those.
SIZES = {
    "phone": {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1},
}
PAGES = ("board", "weekly", "past", "player", "not-found")
LIGHTHOUSE_PAGES = ("board", "past", "player")
# The text of each gradient button, measured from the pixels.
BUTTONS = {"board": "[data-refresh-button] span", "not-found": ".message-card a.button"}
NAMES = ["Ada Lovelace", "Grace Hopper", "Katherine Johnson", "Alan Turing", "Edsger Dijkstra"]
DAYS = 30  # of rank history for the chart's player


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright; the test fails, saying what to install, if absent."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        pytest.fail("Chromium is missing: scripts/setup-system.sh test installs it.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(backend_server, frontend_server, top_scores) -> dict[str, str]:
    """The pages to audit, by name, once the frontend shows the seeded players: the board,
    the weekly board, last week's (empty) standings, a player with 30 days of ranks, the 404
    page."""
    ids = seed_players(backend_server, NAMES, top_scores(len(NAMES)))
    # A rank for each of the last 30 days, for the chart (as in test_browser.py: events).
    made = backend_server.manage(
        "shell",
        "-c",
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from backend_site.rankings.models import Leaderboard, ScoreEvent\n"
        "board = Leaderboard.objects.get(slug='global')\n"
        "ScoreEvent.objects.bulk_create(\n"
        f"    ScoreEvent(board=board, period='', player_id='{ids[1]}', value=day,\n"
        f"               at=timezone.now() - timedelta(days={DAYS} - day))\n"
        f"    for day in range(1, {DAYS}))\n",
    )
    assert made.returncode == 0, made.stderr
    eventually(
        lambda: NAMES[0] in get(frontend_server, "/").text, what="the board shows the players"
    )
    base = frontend_server.url
    return {
        "board": f"{base}/",
        "weekly": f"{base}/?board=global-weekly",
        "past": f"{base}/?board=global-weekly&period=previous",
        "player": f"{base}/players/{ids[1]}/",
        "not-found": f"{base}/no-such-page/",
    }


def lighthouse(runs: list[tuple[str, str]], site: dict[str, str], folder) -> subprocess.Popen:
    """Start the node script on ``runs`` (page, form factor), its reports going to ``folder``."""
    if not (AUDIT_DIR / "node_modules" / "lighthouse").exists():
        pytest.fail("lighthouse is missing: `make test-sqlite` installs it (npm ci)")
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        ["node", str(LIGHTHOUSE), str(folder)]
        + [f"{name}@{form_factor}={site[name]}" for name, form_factor in runs],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CHROME_PATH": chromium_path() or "/usr/bin/chromium"},
    )


def lighthouse_results(process: subprocess.Popen) -> list[dict]:
    out, err = process.communicate(timeout=240)
    assert process.returncode == 0, err[-4000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def lighthouse_desktop(site, tmp_path_factory):
    """Lighthouse's desktop runs, started before the pages are visited: the desktop model does
    not slow the CPU down, so what the visits take from the cores moves its scores little."""
    folder = tmp_path_factory.mktemp("lighthouse")
    process = lighthouse([(name, "desktop") for name in LIGHTHOUSE_PAGES], site, folder)
    yield folder, process, time.monotonic()
    if process.poll() is None:
        process.kill()
        process.communicate()


@dataclass
class Visit:
    """What one page at one size shows, measured once for every test."""

    violations: list[str]
    footer_gap: float
    table_top: float | None
    # The table's top once the period line says the longest it may ("Resets in under a minute").
    longest_line_table_top: float | None = None
    contrast: tuple[float, tuple, tuple] | None = None
    chart: dict | None = None
    problems: list[str] = field(default_factory=list)


MEASURE = """() => {
    const box = element => element.getBoundingClientRect();
    const table = document.querySelector(".board-table");
    const svg = document.querySelector("svg.rank-chart");
    const chart = svg && {
        scale: svg.getScreenCTM().a,
        sizes: [...svg.querySelectorAll(".chart-label")].map(
            label => parseFloat(getComputedStyle(label).fontSize) * svg.getScreenCTM().a),
        labels: [...svg.querySelectorAll(".chart-label")].map(label => {
            const r = box(label);
            return [r.left, r.top, r.right, r.bottom];
        }),
        dots: [...svg.querySelectorAll(".chart-dot")].map(dot => {
            const r = box(dot);
            return [r.left + r.width / 2, r.width];
        }),
        svg: [box(svg).left, box(svg).right],
    };
    return {
        footerGap: box(document.querySelector(".site-footer p")).top
            - box(document.querySelector("main .card")).bottom,
        tableTop: table && box(table).top + window.scrollY,
        chart,
    };
}"""


LONGEST_LINE = """() => {
    document.querySelector(".resets-in").textContent = "Resets in under a minute";
    const top = document.querySelector(".board-table").getBoundingClientRect().top;
    return top + window.scrollY;
}"""


@pytest.fixture(scope="module")
def visits(browser, site, lighthouse_desktop) -> dict[tuple[str, str], Visit]:
    """Each page at each size, opened once: axe's violations, the layout, the buttons'
    contrast; a screenshot of each in test-artifacts/."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test-sqlite` installs it (npm ci)")
    ARTIFACTS.mkdir(exist_ok=True)
    found = {}
    for size, options in SIZES.items():
        context = browser.new_context(bypass_csp=True, **options)  # CSP: for axe's script
        page = context.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda message, problems=problems: (
                message.type == "error" and problems.append(message.text)
            ),
        )
        for name in PAGES:
            page.goto(site[name])
            page.mouse.move(0, 0)  # nothing hovered
            measured = page.evaluate(MEASURE)
            contrast = text_contrast_from_pixels(page, BUTTONS[name]) if name in BUTTONS else None
            longest = page.evaluate(LONGEST_LINE) if name == "weekly" else None
            page.screenshot(path=ARTIFACTS / f"audit-{name}-{size}.png", full_page=True)
            found[size, name] = Visit(
                violations=axe_violations(page),
                footer_gap=measured["footerGap"],
                table_top=measured["tableTop"],
                longest_line_table_top=longest,
                contrast=contrast,
                chart=measured["chart"],
                problems=list(problems),
            )
            problems.clear()
        context.close()
    return found


# --- axe-core -------------------------------------------------------------------------------


def axe_violations(page) -> list[str]:
    """axe.run() with its defaults on the whole page: one line per violation and element."""
    page.add_script_tag(path=str(AXE))  # the page's CSP is bypassed for the audit alone
    found = page.evaluate("axe.run(document).then(results => results.violations)")
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary']}"
        for violation in found
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_no_violation_on_any_page(visits, size):
    violations = {name: visits[size, name].violations for name in PAGES}

    assert violations == {name: [] for name in PAGES}, json.dumps(violations, indent=2)


@pytest.mark.parametrize("size", SIZES)
def test_the_pages_log_no_error_in_the_console(visits, size):
    problems = {name: visits[size, name].problems for name in PAGES if name != "not-found"}

    assert problems == {name: [] for name in problems}


# --- contrast from the pixels ---------------------------------------------------------------


def text_contrast_from_pixels(page, selector: str) -> tuple[float, tuple, tuple]:
    """The worst contrast of the text of ``selector`` over what is drawn behind it: a
    screenshot of the text's box as shown, and one with the text made transparent (the
    background alone); the text's colour is the shown pixel farthest from the background
    under it, and it is compared with every background pixel under the text."""
    element = page.locator(selector)
    box = element.evaluate(
        """element => {
            const range = document.createRange();
            range.selectNodeContents(element);
            const r = range.getBoundingClientRect();
            return {x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height};
        }"""
    )
    clip = {key: float(value) for key, value in box.items()}
    shown = png_pixels(page.screenshot(clip=clip, animations="disabled", full_page=True))
    element.evaluate("element => { element.style.color = 'transparent'; }")
    behind = png_pixels(page.screenshot(clip=clip, animations="disabled", full_page=True))
    element.evaluate("element => { element.style.color = ''; }")
    width, height, shown_rows = shown
    _, _, behind_rows = behind
    pixels = [
        (tuple(shown_rows[y][3 * x : 3 * x + 3]), tuple(behind_rows[y][3 * x : 3 * x + 3]))
        for y in range(height)
        for x in range(width)
    ]
    text = max(pixels, key=lambda pair: abs(luminance(pair[0]) - luminance(pair[1])))[0]
    backgrounds = {background for _, background in pixels}
    worst = min(backgrounds, key=lambda background: contrast(text, background))
    return contrast(text, worst), text, worst


@pytest.mark.parametrize("size", SIZES)
def test_the_gradient_buttons_text_has_4_5_to_1_contrast_in_the_rendered_pixels(visits, size):
    measured = {name: visits[size, name].contrast for name in BUTTONS}
    print(f"button text contrast from the pixels ({size}): {measured}")

    assert all(ratio >= 4.5 for ratio, _, _ in measured.values()), measured
    assert all(text != background for _, text, background in measured.values()), measured


# --- layout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_footer_keeps_its_distance_from_the_card(visits, size):
    gaps = {name: visits[size, name].footer_gap for name in PAGES}

    assert all(gap >= 24 for gap in gaps.values()), gaps


@pytest.mark.parametrize("size", SIZES)
def test_switching_to_a_board_that_resets_does_not_move_the_table(visits, size):
    tops = {name: visits[size, name].table_top for name in ("board", "weekly")}
    tops["weekly, the longest line"] = visits[size, "weekly"].longest_line_table_top

    assert tops["board"] is not None and len(set(tops.values())) == 1, tops


def test_the_rank_chart_of_thirty_days_reads_at_12_px_on_a_phone(visits):
    chart = visits["phone", "player"].chart

    assert chart is not None
    # The backend fixes a day's closing ranks the first time anyone asks for a history that
    # covers it: days another test of the session took before our events was seeded have no
    # point for our player (test_browser.py takes three). Many days is what matters here.
    assert len(chart["dots"]) >= 20
    assert min(chart["sizes"]) >= 12, chart["sizes"]
    centres = [centre for centre, _ in chart["dots"]]
    widths = [width for _, width in chart["dots"]]
    assert min(b - a for a, b in itertools.pairwise(centres)) > max(widths)  # dots apart
    left, right = chart["svg"]
    for i, (x0, y0, x1, y1) in enumerate(chart["labels"]):
        assert left <= x0 and x1 <= right, chart["labels"]  # inside the chart
        for a0, b0, a1, b1 in chart["labels"][i + 1 :]:  # and apart from each other
            assert x1 <= a0 or a1 <= x0 or y1 <= b0 or b1 <= y0, chart["labels"]


# --- Lighthouse ------------------------------------------------------------------------------


def test_lighthouse_scores_the_pages_100_and_performance_at_least_95(
    site, visits, lighthouse_desktop
):
    """Six runs, three pages at phone and desktop sizes: the desktop ones in one node process
    and Chrome while the pages were visited, the phone ones in another after, alone. The JSON
    reports are kept in the test's tmp folder (printed), and a failure prints the audits that
    fell short.

    How Performance is kept stable on a busy 2-core machine: Lighthouse's default simulated
    throttling computes the metrics (Lantern) from the page's requests and main-thread tasks
    under a modelled slow network and CPU, rather than timing the load on this machine; the
    pages are small (one stylesheet, one deferred script, no web font or image). What a busy
    core still adds is the length of those few tasks, which the phone model multiplies by 4
    (the desktop one does not, which is why those run alongside the visits): so the phone
    runs have the module's cores to themselves, and a run whose Performance falls short is
    run again (twice at most), and the best of its runs counts (Lighthouse's own advice on
    variability is to take more than one run); so is a run that failed outright (a runtime
    error, such as a trace Chrome failed to record). The other categories get no second run.
    """
    folder, desktop, started = lighthouse_desktop
    phone = lighthouse([(name, "mobile") for name in LIGHTHOUSE_PAGES], site, folder)
    results = lighthouse_results(desktop) + lighthouse_results(phone)
    reruns = 0
    for attempt in (1, 2):  # a trace Chrome failed to record (NO_NAVSTART) happens twice
        again = [r for r in results if performance(r) < 0.95]
        if not again:
            break
        reruns += len(again)
        runs = [(r["name"], r["formFactor"]) for r in again]
        second = {
            (r["name"], r["formFactor"]): r
            for r in lighthouse_results(lighthouse(runs, site, folder / f"again-{attempt}"))
        }
        results = [
            max(r, second.get((r["name"], r["formFactor"]), r), key=performance) for r in results
        ]
    print(
        f"lighthouse: {len(results)} runs, {reruns} run again, "
        f"{time.monotonic() - started:.1f} s in all; reports in {folder}"
    )
    short = []
    for result in results:
        scores = result["scores"]
        print(f"  {result['name']} {result['formFactor']}: {scores} ({result['seconds']:.1f} s)")
        complete = all(scores[name] == 1 for name in ("accessibility", "best-practices", "seo"))
        if performance(result) < 0.95 or not complete or result["runtimeError"]:
            short.append(result)

    assert len(results) == len(LIGHTHOUSE_PAGES) * 2
    assert not short, json.dumps(short, indent=2)


def performance(result: dict) -> float:
    """A run's Performance; 0 when it has none (Lighthouse gives null when the run failed)."""
    if result["runtimeError"]:
        return 0.0
    return result["scores"]["performance"] or 0.0
