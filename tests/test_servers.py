"""The servers the tests run on are the real thing: PostgreSQL on a port of its own, and the
engine TEST_DATABASE names is the one both in-process tests and served backends use."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from tests import servers
from tests.conftest import TEST_DATABASE, backend_env, running_postgres
from tests.servers import PostgresServer, Site, is_running

VENDORS = {"sqlite": "sqlite", "postgres": "postgresql"}
MACHINE_POSTGRES_PORT = 5432


def fetch_one(url: str, query: str) -> tuple:
    with psycopg.connect(url) as database:
        return database.execute(query).fetchone()


def test_the_postgres_server_is_postgresql_on_a_loopback_port_of_its_own(postgres_server):
    version, port, address = fetch_one(
        postgres_server.url("postgres"), "SELECT version(), inet_server_port(), inet_server_addr()"
    )

    assert version.startswith("PostgreSQL ")
    assert port == postgres_server.port != MACHINE_POSTGRES_PORT
    assert str(address) == "127.0.0.1"


def test_without_postgresql_installed_the_server_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(servers, "POSTGRES_INSTALL", str(tmp_path / "nothing-here"))

    with pytest.raises(RuntimeError, match="apt-get install postgresql"):
        PostgresServer(tmp_path).start()


def test_a_created_database_is_empty_and_is_gone_once_dropped(postgres_server):
    url = postgres_server.create_database("created_by_a_test")
    tables = fetch_one(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")

    postgres_server.drop_database("created_by_a_test")

    assert tables == (0,)
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        fetch_one(url, "SELECT 1")


def test_the_test_server_skips_fsync_and_a_durable_one_keeps_it_and_both_stop_for_good(
    postgres_server,
):
    with running_postgres(durable=True) as durable:
        durable_fsync = fetch_one(durable.url("postgres"), "SHOW fsync")
        pid = durable.postmaster_pid()

    assert fetch_one(postgres_server.url("postgres"), "SHOW fsync") == ("off",)
    assert durable_fsync == ("on",)
    assert pid is not None and not is_running(pid)


def test_in_process_tests_run_on_the_engine_test_database_names(db):
    assert connection.vendor == VENDORS[TEST_DATABASE]


@pytest.mark.postgres_only
def test_under_postgres_the_test_database_is_on_our_own_server(db, postgres_server):
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), inet_server_port(), current_database()")
        version, port, name = cursor.fetchone()

    assert version.startswith("PostgreSQL ")
    assert port == postgres_server.port != MACHINE_POSTGRES_PORT
    assert name == "test_leaderboard"
    assert connection.settings_dict["OPTIONS"] == {}  # none of the SQLite-only options


def test_a_served_backend_runs_on_the_engine_test_database_names(make_database_url, tmp_path):
    env = backend_env("redis://127.0.0.1:1/0", make_database_url(tmp_path))
    site = Site("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    code = (
        "from django.db import connection; connection.ensure_connection(); print(connection.vendor)"
    )

    shown = site.manage("shell", "-c", code)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[-1] == VENDORS[TEST_DATABASE]
