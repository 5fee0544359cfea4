"""REDIS_URL / REDIS_PORT: full URLs as given, the original sample's bare host on port 9000."""

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from backend_site.redis_config import cluster_url_check, redis_url
from common.local_servers import RedisServer
from tests.fixtures.sites import SERVICE_TOKEN, Sites, backend_env


@pytest.mark.parametrize(
    ("raw", "port", "expected"),
    [
        ("", "", "redis://127.0.0.1:6379/0"),
        (
            "leaderboard-db.m7jmxn.ng.0001.use1.cache.amazonaws.com",
            "",
            ("redis://leaderboard-db.m7jmxn.ng.0001.use1.cache.amazonaws.com:9000/0"),
        ),
        ("cache.internal", "6380", "redis://cache.internal:6380/0"),
        ("cache.internal:7000", "", "redis://cache.internal:7000/0"),
        ("redis://cache:6379/2", "9000", "redis://cache:6379/2"),
        ("rediss://:secret@cache:6380/0", "", "rediss://:secret@cache:6380/0"),
    ],
)
def test_a_bare_host_means_the_samples_port_and_a_full_url_is_used_as_given(raw, port, expected):
    assert redis_url(raw, port) == expected


@pytest.mark.parametrize(
    ("raw", "port", "message"),
    [("http://cache:6379", "", "must start with redis://"), ("cache", "ninety", "REDIS_PORT")],
)
def test_a_redis_setting_that_cannot_work_is_refused_by_name(raw, port, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        redis_url(raw, port)


def test_the_backend_reaches_redis_given_only_a_host_name_and_a_port(
    make_database_url, tmp_path_factory
):
    sites = Sites(tmp_path_factory, "bare-host")
    workdir = sites.workdir()
    redis_server = RedisServer(workdir / "redis")  # its own: a bare host always means db 0
    redis_server.start()
    env = backend_env("127.0.0.1", make_database_url(workdir), WEB_CONCURRENCY="1")
    env["REDIS_PORT"] = str(redis_server.port)
    try:
        backend = sites.start("backend_site.wsgi", env, workdir=workdir, migrate=True)
        answer = requests.post(
            f"{backend.url}/api/v1/leaderboards/global/scores",
            json={"player_id": "24323", "name": "Alice", "score": 2500},
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
            timeout=10,
        )
    finally:
        sites.stop_all()
        redis_server.stop()

    assert answer.status_code == 200, answer.text
    assert answer.json()["rank"] == 1


@pytest.mark.parametrize("url", ["redis://cache:6379/2", "unix:///tmp/redis.sock"])
def test_a_cluster_url_with_another_database_or_a_socket_is_refused_naming_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_CLUSTER"):
        cluster_url_check(url)


@pytest.mark.parametrize("url", ["redis://cache:6379/0", "rediss://cache.serverless:6379"])
def test_a_cluster_url_on_database_0_over_tcp_is_accepted(url):
    cluster_url_check(url)
