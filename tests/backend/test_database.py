"""The backend's PostgreSQL engine (backend_site/database): hot statements prepared once per
connection (unless DATABASE_PREPARED_STATEMENTS is off), and a kept connection checked with a
round trip only when it sat idle or its server spoke, so a connection that died while idle
costs no request an error."""

from __future__ import annotations

import time

import psycopg
import pytest
import requests
from django.db import connection, connections

from backend_site import database
from backend_site.database.base import DatabaseWrapper
from backend_site.rankings.writes import services
from tests.fixtures.sites import SERVICE_TOKEN, GunicornSite, backend_env

PREPARED = "SELECT statement FROM pg_prepared_statements"


def submissions(board, count: int) -> None:
    for n in range(count):
        services.score_submit(board=board, player_id="ana", score=n, name="Ana")


def prepared_statements(cursor) -> list[str]:
    cursor.execute(PREPARED)
    return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres_only
def test_a_submissions_statement_is_prepared_once_the_connection_has_run_it_a_few_times(
    global_board,
):
    submissions(global_board, database.PREPARE_THRESHOLD + 1)
    with connection.cursor() as cursor:
        found = prepared_statements(cursor)
    assert any("INSERT INTO" in text and "ON CONFLICT" in text for text in found), found


@pytest.mark.postgres_only
def test_with_prepared_statements_off_nothing_is_prepared(global_board):
    off = database.configured(
        {**connection.settings_dict, "ENGINE": "django.db.backends.postgresql"}, prepared=False
    )
    assert off["OPTIONS"]["server_side_binding"] is False
    other = DatabaseWrapper(off, alias="prepared-off")
    try:
        with other.cursor() as cursor:
            for n in range(database.PREPARE_THRESHOLD * 2):
                cursor.execute("SELECT %s::bigint + 1", [n])
            assert prepared_statements(cursor) == []
    finally:
        other.close()
    with connection.cursor() as cursor:  # while the default one prepares the same
        for n in range(database.PREPARE_THRESHOLD * 2):
            cursor.execute("SELECT %s::bigint + 1", [n])
        assert any("+ 1" in text for text in prepared_statements(cursor))


def test_sqlite_and_other_engines_are_left_as_they_are():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x", "OPTIONS": {"timeout": 20}}
    assert database.configured(sqlite, prepared=True) is sqlite


@pytest.fixture
def checks(monkeypatch) -> list[bool]:
    """Every round-trip check (Django's is_usable, SELECT 1) the connection makes, as its
    outcome."""
    made: list[bool] = []
    real = DatabaseWrapper.is_usable

    def counted(self) -> bool:
        made.append(real(self))
        return made[-1]

    monkeypatch.setattr(DatabaseWrapper, "is_usable", counted)
    return made


def kept_and_checked(monkeypatch) -> None:
    """The connection kept between requests and checked, as settings.py has it (CONN_MAX_AGE
    600, CONN_HEALTH_CHECKS on: the test database's settings have neither)."""
    wrapper = connections["default"]
    monkeypatch.setitem(wrapper.settings_dict, "CONN_MAX_AGE", 600)
    monkeypatch.setitem(wrapper.settings_dict, "CONN_HEALTH_CHECKS", True)
    wrapper.close()  # its next connect keeps it for CONN_MAX_AGE
    wrapper.ensure_connection()


def request(cursor_sql: str = "SELECT 1") -> None:
    """One request's life, as Django's handler runs it: the check at its start, a statement,
    the check at its end."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute(cursor_sql)
    connection.close_if_unusable_or_obsolete()


@pytest.mark.postgres_only
def test_a_connection_used_moments_ago_is_not_checked_with_a_round_trip(
    global_board, checks, settings, monkeypatch
):
    settings.DATABASE_CHECK_IDLE_SECONDS = 5.0
    kept_and_checked(monkeypatch)
    for _ in range(3):
        request()
    assert checks == []
    settings.DATABASE_CHECK_IDLE_SECONDS = 0.0  # every connection has sat idle that long
    request()
    assert checks == [True]


@pytest.mark.postgres_only
def test_a_connection_its_server_ended_while_idle_is_replaced_before_the_request_uses_it(
    global_board, checks, monkeypatch
):
    kept_and_checked(monkeypatch)
    request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    connection.close_if_unusable_or_obsolete()  # the request ends; the connection is kept
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while not connection.server_spoke():
        assert time.monotonic() < deadline, "the ended session's socket never became readable"
        time.sleep(0.01)
    request("SELECT count(*) FROM rankings_leaderboard")  # no error: it reconnected first
    assert checks == [False]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


@pytest.mark.served
@pytest.mark.postgres_only
def test_a_database_restart_costs_the_next_writes_no_error(own_postgres, redis_url, tmp_path):
    env = backend_env(
        redis_url,
        own_postgres.create_database("leaderboard"),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
    )
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    site.migrate()
    site.start()
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    url = f"{site.url}/api/v1/leaderboards/global/scores"

    def submit(score: int) -> int:
        body = {"player_id": "ana", "score": score, "name": "Ana"}
        return requests.post(url, json=body, headers=headers, timeout=10).status_code

    try:
        assert [submit(n) for n in range(1, 5)] == [200] * 4  # both threads hold a connection
        own_postgres.stop()
        own_postgres.start()
        assert [submit(n) for n in range(5, 9)] == [200] * 4
    finally:
        site.stop()
