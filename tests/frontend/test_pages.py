"""The public site end to end, for what only a real server shows: production headers,
static files through whitenoise, the page cache in a gunicorn worker.

What each view answers is tested in process, one file per endpoint (test_*_view.py).
"""

import re

from tests.frontend.fixtures.served_sites import get


def test_pages_send_a_content_security_policy_and_fresh_data_is_not_marked_stale(
    frontend_server,
):
    response = get(frontend_server, "/")

    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Data-Stale"] == "false"
    assert "temporarily unavailable" not in response.text


def test_static_assets_are_served_hashed_and_compressed(frontend_server):
    page = get(frontend_server, "/").text
    stylesheet = re.search(r'href="(/static/board/leaderboard\.[0-9a-f]{12}\.css)"', page)

    assert stylesheet, "the page links a hashed stylesheet"
    response = get(frontend_server, stylesheet[1], headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "http" not in re.sub(r"xmlns=\"http[^\"]+\"", "", page.split("<body", 1)[0])


def test_a_repeated_view_is_the_same_page_with_its_own_request_id(frontend_server):
    first = get(frontend_server, "/data.json", headers={"X-Request-ID": "first-view"})
    second = get(frontend_server, "/data.json", headers={"X-Request-ID": "second-view"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert [first.headers["X-Request-ID"], second.headers["X-Request-ID"]] == [
        "first-view",
        "second-view",
    ]
    assert second.headers["Content-Type"] == "application/json"
    assert second.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]
