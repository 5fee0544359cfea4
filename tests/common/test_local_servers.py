"""The local servers are the real thing: PostgreSQL on a port of its own, the engine
TEST_DATABASE names is the one both in-process tests and served backends use, each test has a
Redis database of its own, and a site that cannot start says why at once."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

from common import local_servers
from common.local_servers import (
    GunicornSite,
    PostgresServer,
    ProcessExited,
    free_ports,
    is_running,
)
from tests.conftest import TEST_DATABASE
from tests.fixtures.databases import running_postgres
from tests.fixtures.sites import backend_env

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
    monkeypatch.setattr(local_servers.postgres, "POSTGRES_INSTALL", str(tmp_path / "nothing-here"))
    monkeypatch.setattr(local_servers.postgres, "HOMEBREW_INSTALLS", ())
    monkeypatch.setenv("PATH", str(tmp_path))  # no initdb on PATH either

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
    # None of the SQLite-only options; the statements prepared, as settings.py has it.
    assert connection.settings_dict["OPTIONS"] == {
        "server_side_binding": True,
        "prepare_threshold": 5,
    }


def test_a_served_backend_runs_on_the_engine_test_database_names(make_database_url, tmp_path):
    env = backend_env("redis://127.0.0.1:1/0", make_database_url(tmp_path))
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    code = (
        "from django.db import connection; connection.ensure_connection(); print(connection.vendor)"
    )

    shown = site.manage("shell", "-c", code)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[-1] == VENDORS[TEST_DATABASE]


def test_a_site_whose_process_exits_fails_at_once_with_the_end_of_its_log(tmp_path):
    site = GunicornSite("no_such_site.wsgi", {"WEB_CONCURRENCY": "1"}, tmp_path / "gunicorn.log")
    started = time.monotonic()

    with pytest.raises(ProcessExited, match="exited with status") as raised:
        site.start(timeout=60)

    assert time.monotonic() - started < 30
    assert "Worker failed to boot" in str(raised.value)  # the end of its log comes along
    assert "No module named 'no_such_site'" in site.log()
    assert site.process is None


def test_the_env_builders_give_production_on_loopback_with_the_callers_secrets_and_extras(
    tmp_path,
):
    backend = local_servers.backend_env(
        "redis://r/0", "sqlite:///db", secret_key="k1", service_token="t1", REDIS_URL="redis://r/3"
    )
    frontend = local_servers.frontend_env(
        "http://b", tmp_path / "static", secret_key="k2", service_token="t2"
    )

    assert backend["DJANGO_DEBUG"] == frontend["DJANGO_DEBUG"] == "false"
    assert backend["DJANGO_SECURE_SSL_REDIRECT"] == "false"
    assert backend["DJANGO_SETTINGS_MODULE"] == "backend_site.settings"
    assert (backend["DJANGO_SECRET_KEY"], backend["BACKEND_SERVICE_TOKEN"]) == ("k1", "t1")
    assert (backend["REDIS_URL"], backend["DATABASE_URL"]) == ("redis://r/3", "sqlite:///db")
    assert frontend["DJANGO_SETTINGS_MODULE"] == "frontend_site.settings"
    assert (frontend["DJANGO_SECRET_KEY"], frontend["BACKEND_API_KEY"]) == ("k2", "t2")
    assert "BACKEND_SERVICE_TOKEN" not in frontend  # the frontend's own setting, not the shared one
    assert frontend["BACKEND_URL"] == "http://b"
    assert frontend["DJANGO_STATIC_ROOT"] == str(tmp_path / "static")


def test_each_test_has_a_redis_database_of_its_own_apart_from_the_served_backends(
    redis_database, redis_client, backend_server
):
    served = int(backend_server.env["REDIS_URL"].rsplit("/", 1)[1])
    redis_client.set("mine", "1")

    assert redis_database != served
    assert redis_client.dbsize() == 1


def test_free_ports_are_all_different():
    for _ in range(20):
        ports = free_ports(12)
        assert len(set(ports)) == 12
