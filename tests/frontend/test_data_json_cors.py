"""CORS on /data.json in process: FRONTEND_CORS_ORIGINS as "*" and as a list, the preflight,
and the pages left same-origin (through gunicorn: test_public_answers.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontend_site.cors import cors_origins

GAME = "https://game.example.com"


@pytest.mark.parametrize(
    ("raw", "origins"),
    [
        (["*"], ("*",)),
        ([GAME, "http://localhost:8080"], (GAME, "http://localhost:8080")),
    ],
)
def test_the_origins_setting_takes_a_star_or_origins(raw, origins):
    assert cors_origins(raw) == origins


@pytest.mark.parametrize("raw", [["*", GAME], [GAME + "/"], ["game.example.com"], [GAME + "/x"]])
def test_the_origins_setting_refuses_what_no_browser_sends_as_origin(raw):
    with pytest.raises(ImproperlyConfigured, match="FRONTEND_CORS_ORIGINS"):
        cors_origins(raw)


@pytest.fixture
def listed(frontend, frontend_settings):
    frontend_settings.FRONTEND_CORS_ORIGINS = (GAME, "https://play.example.com")
    return frontend


@pytest.mark.parametrize("repeat", [1, 2], ids=["rendered", "from-the-page-cache"])
def test_a_listed_origin_is_named_and_the_answer_varies_on_origin(listed, repeat):
    for _ in range(repeat):
        response = listed.get("/data.json", HTTP_ORIGIN=GAME)
    other = listed.get("/data.json", HTTP_ORIGIN="https://evil.example.com")

    assert response["Access-Control-Allow-Origin"] == GAME
    assert "Access-Control-Allow-Origin" not in other
    for answer in (response, other):
        assert {"Origin", "Accept-Encoding"} <= {v.strip() for v in answer["Vary"].split(",")}


def test_a_304_carries_the_cors_headers_a_script_needs_to_read_it(listed):
    etag = listed.get("/data.json", HTTP_ORIGIN=GAME)["ETag"]

    again = listed.get("/data.json", HTTP_ORIGIN=GAME, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == GAME
    assert "ETag" in again["Access-Control-Expose-Headers"]


def test_the_preflight_answers_204_for_a_listed_origin_only(listed):
    asks = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}

    allowed = listed.options("/data.json", HTTP_ORIGIN=GAME, **asks)
    refused = listed.options("/data.json", HTTP_ORIGIN="https://evil.example.com", **asks)

    assert (allowed.status_code, allowed.content) == (204, b"")
    assert allowed["Access-Control-Allow-Origin"] == GAME
    assert allowed["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert refused.status_code == 204 and "Access-Control-Allow-Origin" not in refused


def test_the_pages_send_no_cors_headers(frontend):
    page = frontend.get("/", HTTP_ORIGIN=GAME)

    assert page.status_code == 200
    assert "Access-Control-Allow-Origin" not in page
    assert frontend.options("/table/", HTTP_ORIGIN=GAME).status_code == 405
