"""GET /api/v1/leaderboards/<slug>/export.csv as a caller sees it: a streamed CSV with the
board's every entry, its errors in the API's JSON shape, the `read` scope, HEAD; and through
gunicorn, in chunks past the first chunk of rows, and cut short when the database is lost."""

from __future__ import annotations

import csv
import io
import json

import psycopg
import pytest
import requests
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_redis.pool import ConnectionFactory

from backend_site.api_keys import keys
from backend_site.rankings.models import Leaderboard
from backend_site.rankings.reads import export
from common.local_servers import GunicornSite
from tests.backend.conftest import in_transaction, make_scores, resetting_board
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

pytestmark = pytest.mark.django_db(transaction=True)

EXPORT = "/api/v1/leaderboards/{}/export.csv"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def rows_of(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_error(response, status: int, code: str) -> None:
    """The API's one error shape, {"error": {"code", "message"}}, as JSON."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = json.loads(response.content)["error"]
    assert error.keys() == {"code", "message"}
    assert error["code"] == code


def test_the_export_is_a_csv_attachment_with_every_entry_in_rank_order(api, global_board):
    make_scores(global_board, {"a": 30, "b": 50, "c": 30, "d": 10})
    response = api.get(EXPORT.format("global"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="global-all-time.csv"'
    rows = rows_of(response)
    assert rows[0] == ["rank", "player_id", "name", "score", "reached_at"]
    assert [row[:4] for row in rows[1:]] == [
        ["1", "b", "Player b", "50"],
        ["2", "a", "Player a", "30"],
        ["2", "c", "Player c", "30"],
        ["4", "d", "Player d", "10"],
    ]


def test_a_period_is_named_in_the_file_and_read_as_the_other_reads_read_it(api, global_board, now):
    resetting_board("g-weekly", "weekly", source=global_board)
    make_scores(global_board, {"ann": 10, "bob": 20})
    now.advance(days=7)
    make_scores(global_board, {"cy": 5})

    previous = api.get(EXPORT.format("g-weekly") + "?period=previous")
    assert previous["Content-Disposition"] == 'attachment; filename="g-weekly-2026-W48.csv"'
    last_week = rows_of(previous)
    assert [row[1] for row in last_week[1:]] == ["bob", "ann"]
    assert rows_of(api.get(EXPORT.format("g-weekly") + "?period=2026-W48")) == last_week
    current = api.get(EXPORT.format("g-weekly"))
    assert current["Content-Disposition"] == 'attachment; filename="g-weekly-2026-W49.csv"'
    assert [row[1] for row in rows_of(current)[1:]] == ["cy"]


def test_an_empty_board_is_the_header_alone(api, global_board):
    assert rows_of(api.get(EXPORT.format("global"))) == [
        ["rank", "player_id", "name", "score", "reached_at"]
    ]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (EXPORT.format("nope"), 404, "not_found"),
        (EXPORT.format("global") + "?period=yesterday", 400, "invalid"),
        (EXPORT.format("global") + "?period=previous", 404, "not_found"),  # never resets
        (EXPORT.format("g-daily") + "?period=2026-11-27", 404, "not_found"),  # the future
        (EXPORT.format("g-daily") + "?period=2025-12-31", 404, "not_found"),  # before it
        (EXPORT.format("g-daily") + "?period=2026-W48", 404, "not_found"),  # not its kind
    ],
)
def test_an_unknown_board_or_period_is_a_json_404_and_a_bad_one_a_400(
    api, global_board, now, path, status, code
):
    resetting_board("g-daily", "daily")
    assert_error(api.get(path), status, code)


def test_other_methods_are_a_json_405(api, global_board):
    response = api.post(EXPORT.format("global"))
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD"


def test_a_key_needs_the_read_scope(api, global_board):
    make_scores(global_board, {"a": 1})
    _, writer = keys.key_create(name="game-server", scopes="write")
    _, reader = keys.key_create(name="reporting", scopes="read")

    refused = Client(headers={"Authorization": f"Bearer {writer}"}).get(EXPORT.format("global"))
    assert_error(refused, 403, "insufficient_scope")
    assert "'read' scope" in json.loads(refused.content)["error"]["message"]
    read = Client(headers={"Authorization": f"Bearer {reader}"}).get(EXPORT.format("global"))
    assert read.status_code == 200
    assert len(rows_of(read)) == 2
    assert_error(Client().get(EXPORT.format("global")), 401, "unauthorized")


def test_head_answers_the_headers_without_reading_the_board(api, global_board):
    make_scores(global_board, {"a": 1, "b": 2})
    with CaptureQueriesContext(connection) as queries:
        response = api.head(EXPORT.format("global"))
        body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="global-all-time.csv"'
    assert body == b""
    assert not [q for q in queries.captured_queries if "JOIN" in q["sql"]]
    missing = api.head(EXPORT.format("nope"))
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")


def test_closing_an_answer_unread_ends_the_exports_snapshot(api, global_board):
    make_scores(global_board, {"a": 1})
    response = api.get(EXPORT.format("global"))  # its first chunk is read: a snapshot is open
    assert in_transaction()
    response.close()  # as the server does when the client has gone
    assert not in_transaction()


def test_the_export_comes_from_the_database_while_redis_is_away(
    own_redis, transactional_db, settings
):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": own_redis.url}}
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    make_scores(Leaderboard.objects.get(slug="global"), {"a": 5, "b": 7})
    own_redis.stop()
    try:
        response = Client(headers=AUTH).get(EXPORT.format("global"))
        assert response.status_code == 200
        assert [row[1] for row in rows_of(response)[1:]] == ["b", "a"]
    finally:
        for pool in ConnectionFactory._pools.values():
            pool.disconnect()


@pytest.mark.served
def test_gunicorn_streams_the_export_in_chunks_past_the_first_chunk(backend_server):
    made = backend_server.manage(
        "shell",
        "-c",
        "from backend_site.rankings.models import Leaderboard; "
        "Leaderboard.objects.create(slug='export-served', title='Export', order='asc')",
    )
    assert made.returncode == 0, made.stderr
    players = export.CHUNK + 1_500
    for start in range(0, players, 1000):
        items = [
            {"leaderboard": "export-served", "player_id": f"x{n:05d}", "score": n // 4,
             "name": f"=cmd|' /C calc'!A{n}" if n == 7 else f"Runner {n}"}
            for n in range(start, min(start + 1000, players))
        ]  # fmt: skip
        posted = requests.post(
            f"{backend_server.url}/api/v1/scores/batch",
            json={"scores": items},
            headers=AUTH,
            timeout=30,
        )
        assert posted.status_code == 200, posted.text
    url = f"{backend_server.url}{EXPORT.format('export-served')}"

    with requests.get(url, headers=AUTH, stream=True, timeout=30) as answer:
        assert answer.status_code == 200
        assert answer.headers["Transfer-Encoding"] == "chunked"
        assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "Content-Length" not in answer.headers
        text = b"".join(answer.iter_content(chunk_size=None)).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))

    assert len(rows) == players + 1
    # Ranks as the API's pages give them, across the first chunk's end.
    for offset in (0, export.CHUNK - 3):
        page = requests.get(
            f"{backend_server.url}/api/v1/leaderboards/export-served/entries",
            params={"offset": offset, "limit": 6},
            headers=AUTH,
            timeout=10,
        ).json()
        expected = [
            [str(e["rank"]), e["player_id"], ("'" if e["name"][0] == "=" else "") + e["name"],
             str(e["score"])]
            for e in page["entries"]
        ]  # fmt: skip
        assert [row[:4] for row in rows[offset + 1 : offset + 7]] == expected
    assert rows[8][2] == "'=cmd|' /C calc'!A7"

    head = requests.head(url, headers=AUTH, timeout=10)
    assert (head.status_code, head.content) == (200, b"")
    assert (
        head.headers["Content-Disposition"] == 'attachment; filename="export-served-all-time.csv"'
    )
    assert "Traceback" not in backend_server.log()


@pytest.mark.served
@pytest.mark.postgres_only
def test_a_database_lost_midway_ends_the_transfer_incomplete_not_short(
    redis_url, make_database_url, tmp_path
):
    database_url = make_database_url(tmp_path)
    site = GunicornSite(
        "backend_site.wsgi", backend_env(redis_url, database_url), tmp_path / "gunicorn.log"
    )
    site.migrate()
    seeded = site.manage("seed", "--players", "100000", "--random-seed", "1")
    assert seeded.returncode == 0, seeded.stderr
    site.start()
    try:
        url = f"{site.url}{EXPORT.format('global')}"
        with requests.get(url, headers=AUTH, stream=True, timeout=30) as answer:
            assert answer.status_code == 200
            received = answer.raw.read(64 * 1024)  # the socket's buffers fill behind it
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            with pytest.raises(requests.exceptions.ChunkedEncodingError):
                for block in answer.iter_content(chunk_size=64 * 1024):
                    received += block
        assert 64 * 1024 <= len(received) < 7_000_000  # the whole board is 7.1 MB
    finally:
        site.stop()
