"""What a CDN or a browser sees of the public answers, through gunicorn over the real backend:
caching headers, ETags that follow the scores and not the clock, 304s, compression, CORS on
/data.json. (What a stale copy carries: test_faults.py, with a backend stopped for real.)"""

import gzip

import brotli
import pytest
import requests

from tests.frontend.fixtures.served_sites import (
    eventually,
    get,
    response_when,
    seed_players,
    submit_score,
)

pytestmark = pytest.mark.served

FRESH_CACHE_CONTROL = "public, max-age=1, stale-while-revalidate=2, stale-if-error=300"
PAGES = ["/", "/table/", "/players/{player_id}/", "/data.json"]


@pytest.fixture(scope="module")
def player_id(backend_server) -> str:
    """The leader of the shared global board, over enough others that /data.json is worth
    compressing."""
    names = ["Header Reader", *(f"Reader Behind {n}" for n in range(6))]
    return seed_players(backend_server, names, [10**15 - n for n in range(len(names))])[0]


def raw_get(site, path: str, **headers: str) -> requests.Response:
    """GET with the body left as it came over the wire (requests would decode it)."""
    response = requests.get(f"{site.url}{path}", headers=headers, timeout=10, stream=True)
    response.wire = response.raw.read(decode_content=False)
    return response


@pytest.mark.parametrize("path", PAGES)
def test_each_page_and_data_json_send_an_etag_caching_and_a_compressed_body(
    frontend_server, player_id, path
):
    response = raw_get(
        frontend_server,
        path.format(player_id=player_id),
        **{"Accept-Encoding": "gzip, deflate, br"},
    )

    assert response.status_code == 200
    assert response.headers["ETag"].startswith('W/"')
    assert response.headers["Cache-Control"] == FRESH_CACHE_CONTROL
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Content-Encoding"] == "br"  # preferred when both are accepted
    assert int(response.headers["Content-Length"]) == len(response.wire)
    assert "Access-Control-Allow-Origin" not in response.headers or path == "/data.json"


def test_gzip_and_br_bodies_decode_to_the_identity_body(frontend_server):
    def three_codings():
        plain, gzipped, brotlied = (
            raw_get(frontend_server, "/", **{"Accept-Encoding": coding})
            for coding in ("identity", "gzip", "br")
        )
        decoded = (plain.wire, gzip.decompress(gzipped.wire), brotli.decompress(brotlied.wire))
        # Taken within one fresh period they are the same body; across one, try again.
        return decoded if len(set(decoded)) == 1 else None

    plain, _, _ = eventually(three_codings, what="one body in three codings")

    assert b"Header Reader" in plain


def test_the_etag_survives_a_refetch_of_unchanged_scores_and_follows_a_new_one(
    backend_server, frontend_server, player_id
):
    first = get(frontend_server, "/table/")
    refetched = response_when(
        frontend_server,
        "/table/",
        lambda response: response.text != first.text,  # a later "Scores as of", nothing else
        what="the table fetched again",
    )
    assert refetched.headers["ETag"] == first.headers["ETag"]

    submit_score(backend_server, player_id=player_id, score=10**15 + 1)
    moved = response_when(
        frontend_server,
        "/table/",
        lambda response: response.headers["ETag"] != first.headers["ETag"],
        what="a new ETag for the new score",
    )
    assert "1,000,000,000,000,001" in moved.text


@pytest.mark.parametrize("path", ["/table/", "/data.json"])
def test_if_none_match_gets_a_304_with_no_body(frontend_server, path):
    etag = get(frontend_server, path).headers["ETag"]

    not_modified = get(frontend_server, path, headers={"If-None-Match": etag})

    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert not_modified.headers["ETag"] == etag
    assert not_modified.headers["Cache-Control"] == FRESH_CACHE_CONTROL
    assert not_modified.headers["Vary"] == "Accept-Encoding"


def test_data_json_may_be_read_from_any_origin_and_answers_the_preflight(frontend_server):
    origin = {"Origin": "https://game.example.com"}
    data = get(frontend_server, "/data.json", headers=origin)
    preflight = requests.options(
        f"{frontend_server.url}/data.json",
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
        timeout=10,
    )
    page_preflight = requests.options(f"{frontend_server.url}/", headers=origin, timeout=10)

    assert data.headers["Access-Control-Allow-Origin"] == "*"
    assert {"ETag", "X-Data-Stale"} <= set(
        data.headers["Access-Control-Expose-Headers"].split(", ")
    )
    assert (preflight.status_code, preflight.content) == (204, b"")
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0
    assert page_preflight.status_code == 405  # the pages stay same-origin
    assert "Access-Control-Allow-Origin" not in page_preflight.headers


def test_static_files_are_served_precompressed_with_brotli(frontend_server, static_root):
    css = next((static_root / "board").glob("leaderboard.*.css"))
    assert css.with_name(css.name + ".br").is_file()

    served = raw_get(frontend_server, f"/static/board/{css.name}", **{"Accept-Encoding": "br"})

    assert served.headers["Content-Encoding"] == "br"
    assert brotli.decompress(served.wire) == css.read_bytes()
