"""The public site's URLs fuzzed: any path and query a visitor can type gets a page or a 4xx,
never a 5xx, and neither site logs a traceback for it. Calendar edges first (years 1 and
9999, week 53, days that do not exist), then whatever hypothesis makes of the parameters.

Against the session's served frontend and backend (real gunicorn, Redis, database), whose
migrations made the daily and weekly boards. Hypothesis runs derandomized: CI sees the same
cases every run.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EDGE_PERIODS = [
    "9999-12-31",
    "0001-01-01",
    "9999-W52",
    "9999-W53",
    "0001-W01",
    "2026-W53",
    "2027-W53",
    "9999-12",
    "0001-01",
    "2026-02-30",
    "2026-13",
    "1970-01-01",
    "2199-06-15",
    "current",
    "previous",
]
BOARDS = ["global", "global-daily", "global-weekly", "no-such-board"]

paths = st.sampled_from(["/", "/table/", "/data.json"]) | st.builds(
    "/players/{}/".format,
    st.from_regex(r"[A-Za-z0-9_.:-]{1,64}", fullmatch=True) | st.sampled_from(["..", "x" * 64]),
)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
queries = st.fixed_dictionaries(
    {},
    optional={
        "board": st.sampled_from(BOARDS) | texts,
        "period": st.sampled_from(EDGE_PERIODS) | texts,
        "page": st.sampled_from(["0", "1", "2", "-1", "9999999", "99999999999999999999"]) | texts,
    },
)


@pytest.fixture(scope="module")
def sites(frontend_server, backend_server):
    return frontend_server, backend_server


def tracebacks(log: str) -> list[str]:
    return [line for line in log.splitlines() if "Traceback" in line or "Internal Server" in line]


def visit(frontend, path: str, query: dict) -> requests.Response:
    url = f"{frontend.url}{path}" + (f"?{urlencode(query)}" if query else "")
    return requests.get(url, timeout=10)


@pytest.mark.parametrize("board", BOARDS[:3])
@pytest.mark.parametrize("period", EDGE_PERIODS)
def test_the_edges_of_the_calendar_answer_4xx_or_a_page_on_every_page(sites, board, period):
    frontend, _ = sites
    for path in ("/", "/table/", "/players/nobody-at-the-edge/"):
        response = visit(frontend, path, {"board": board, "period": period})
        assert response.status_code < 500, (path, board, period, response.status_code)


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=paths, query=queries)
def test_no_public_url_makes_either_site_answer_5xx(sites, path, query):
    frontend, _ = sites
    response = visit(frontend, path, query)

    assert response.status_code < 500, (path, query, response.status_code, response.text[:300])


def test_and_neither_site_logged_a_traceback_meanwhile(sites):
    # Runs after the two above (pytest keeps a module's order): the logs of both servers.
    frontend, backend = sites

    assert tracebacks(frontend.log()) == []
    assert tracebacks(backend.log()) == []
