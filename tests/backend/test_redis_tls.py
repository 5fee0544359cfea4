"""Redis over TLS (rediss://), as an ElastiCache cluster with encryption in transit needs.

A real redis-server listens with TLS only, on a certificate from a throwaway CA the test
makes; the real backend under gunicorn talks to it with REDIS_TLS_CA_FILE.
"""

from __future__ import annotations

import pytest
import requests

from common.local_servers import GunicornSite, RedisServer
from tests.fixtures.sites import SERVICE_TOKEN, Sites, backend_env

AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture(scope="module")
def tls_redis(tls_files, tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis-tls"), tls=tls_files)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def start_backend(make_database_url, tmp_path_factory):
    """Start backends (migrated, each on a database of its own); stop them all at the end."""
    sites = Sites(tmp_path_factory, "tls-backend")

    def start(redis_url: str, **extra: str) -> GunicornSite:
        workdir = sites.workdir()
        env = backend_env(redis_url, make_database_url(workdir), WEB_CONCURRENCY="1", **extra)
        return sites.start("backend_site.wsgi", env, workdir=workdir, migrate=True)

    yield start
    sites.stop_all()


def test_the_test_redis_speaks_only_tls(tls_redis):
    assert tls_redis.url.startswith("rediss://")
    assert tls_redis.client().ping()


def test_a_score_makes_the_round_trip_through_redis_over_tls(tls_redis, tls_files, start_backend):
    backend = start_backend(tls_redis.url, REDIS_TLS_CA_FILE=tls_files["ca"])
    board = f"{backend.url}/api/v1/leaderboards/global"

    submitted = requests.post(
        f"{board}/scores",
        json={"player_id": "tls-1", "score": 4242, "name": "Over TLS"},
        headers=AUTH,
        timeout=5,
    )
    entries = requests.get(f"{board}/entries?limit=10", headers=AUTH, timeout=5)

    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["rank"] == 1
    assert entries.json()["entries"][0] == {
        "rank": 1,
        "player_id": "tls-1",
        "name": "Over TLS",
        "score": 4242,
        "rank_change": None,  # new today
    }
    assert tls_redis.client().dbsize() > 0  # the ranking really lives in the TLS server
    assert requests.get(f"{backend.url}/readyz", timeout=5).json() == {"status": "ok"}


def test_a_redis_server_the_ca_file_does_not_vouch_for_is_refused(tls_redis, start_backend):
    # Without REDIS_TLS_CA_FILE the system's trust store applies, which has never heard
    # of the test's CA: the certificate check must fail, not be skipped.
    backend = start_backend(tls_redis.url)

    ready = requests.get(f"{backend.url}/readyz", timeout=10)
    scores = requests.get(f"{backend.url}/getdata", headers=AUTH, timeout=10)

    assert ready.status_code == 503
    assert "redis" in ready.json()["failed"]
    assert scores.status_code == 503
    assert scores.json()["error"]["code"]


def test_a_ca_file_with_a_plain_redis_url_stops_the_start_with_a_message(
    tls_files, make_database_url, tmp_path
):
    env = backend_env(
        "redis://127.0.0.1:6380/0",
        make_database_url(tmp_path),
        REDIS_TLS_CA_FILE=tls_files["ca"],
    )
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")

    result = site.manage("check", timeout=60)

    assert result.returncode != 0
    assert "REDIS_TLS_CA_FILE is set, so REDIS_URL must be a rediss://" in result.stderr
