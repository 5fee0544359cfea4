"""On a Redis Cluster: boards spread over the shards, a read is one command on one node, a
master that dies while scores are written loses no acknowledged write, and a cluster that
speaks only TLS is reached with the CA that vouches for it (TEST_REDIS=cluster)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import redis
from django.test import Client

from backend_site.rankings.ranking_index import connections, layout, store
from bench.ledger import GameServer, ranked_scores, stored_scores
from common.local_servers import GunicornSite, RedisCluster
from tests.backend.conftest import make_tls_files
from tests.backend.ranking_index.test_store import TODAY, load
from tests.fixtures.redis_servers import running_cluster
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

pytestmark = pytest.mark.cluster_only

SLUGS = [f"board-{number}" for number in range(12)]
WRITES = 240
PLAYERS = 12


def test_with_redis_cluster_on_every_thread_shares_one_cluster_client(ranking_redis):
    client = connections.connection()
    others = []
    thread = threading.Thread(target=lambda: others.append(connections.connection()))
    thread.start()
    thread.join()
    assert isinstance(client, redis.RedisCluster)
    assert others == [client]
    assert store.ping()


def test_boards_spread_over_the_shards_and_each_keeps_its_keys_on_one(ranking_redis, redis_cluster):
    for slug in SLUGS:
        load(ranking_redis, {"a": 1, "b": 2}, slug=slug)
    holders = {}
    for slug in SLUGS:
        keys = [layout.meta_key(slug), layout.zset_key(slug), layout.names_key(slug, "a")]
        masters = {redis_cluster.master_of(key).port for key in keys}
        assert len(masters) == 1, slug  # one slot, so one node
        holders[slug] = masters.pop()
    assert len(set(holders.values())) == 3  # every master holds some of the boards


def test_a_page_is_one_command_on_the_node_of_the_boards_slot(ranking_redis, redis_cluster):
    load(ranking_redis, {"a": 1, "b": 2}, slug="speedrun")
    store.entries_page(
        ranking="speedrun", offset=0, limit=10, today=TODAY, client=ranking_redis
    )  # scripts known
    holder = redis_cluster.master_of(layout.zset_key("speedrun"))
    clients = {master.port: master.client() for master in redis_cluster.masters()}
    try:
        for client in clients.values():
            client.config_resetstat()
        page = store.entries_page(
            ranking="speedrun", offset=0, limit=10, today=TODAY, client=ranking_redis
        )
        # Commands a script runs count too; only ours count elsewhere.
        calls = {port: _commands(client) for port, client in clients.items()}
    finally:
        for client in clients.values():
            client.close()
    assert [entry.player_id for entry in page.entries] == ["b", "a"]
    assert calls.pop(holder.port)["cmdstat_evalsha"] == 1
    assert list(calls.values()) == [{}, {}]


def _commands(client) -> dict[str, int]:
    """Calls per command since CONFIG RESETSTAT, leaving out that and INFO."""
    return {
        name: stats["calls"]
        for name, stats in client.info("commandstats").items()
        if not name.startswith(("cmdstat_config", "cmdstat_info"))
    }


@pytest.fixture
def failover_cluster(tmp_path) -> Iterator[RedisCluster]:
    """A cluster of this test's own: it loses a master."""
    with running_cluster(tmp_path / "cluster") as cluster:
        yield cluster


@pytest.fixture
def failover_site(failover_cluster, make_database_url, tmp_path) -> Iterator[GunicornSite]:
    env = backend_env(failover_cluster.url, make_database_url(tmp_path), REDIS_CLUSTER="true")
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    site.migrate()
    site.start()
    yield site
    site.stop()


def test_a_master_that_dies_while_scores_are_written_loses_no_acknowledged_write(
    failover_cluster, failover_site
):
    """The drills' game server (bench.ledger: an Idempotency-Key per score, the same key
    again on every retry until a 2xx) writes while the master of the board's slot dies."""
    players = [f"failover-{number}" for number in range(PLAYERS)]
    game = GameServer(failover_site.url, SERVICE_TOKEN, {"global": "best"}, players)
    game.start()
    try:
        game.wait_for_acknowledged(PLAYERS)
        master = failover_cluster.master_of(layout.zset_key("global"))
        replica = failover_cluster.replica_of(master)
        master.kill()  # a crash: what it had not passed on to its replica is gone from Redis
        failover_cluster.wait_for_master(replica)
        game.wait_for_acknowledged(WRITES, timeout=120)
    finally:
        game.stop()
    game.settle()

    assert not game.failures and not game.unsettled, (game.failures, game.unsettled)
    assert game.sent >= WRITES
    expected = game.expected()
    assert stored_scores(failover_site, ["global"], "failover-") == expected
    verified = failover_site.manage("verify_rankings")
    if verified.returncode != 0:  # Redis lost writes the database has: mend them once
        repaired = failover_site.manage("verify_rankings", "--repair")
        assert repaired.returncode == 0, repaired.stdout + repaired.stderr
        verified = failover_site.manage("verify_rankings")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert ranked_scores(failover_site.url, SERVICE_TOKEN, expected) == expected


@pytest.fixture(scope="module")
def tls_cluster(tls_files, tmp_path_factory) -> Iterator[RedisCluster]:
    """A cluster that speaks only TLS, on the bus and between nodes too (3 masters)."""
    workdir = tmp_path_factory.mktemp("tls-cluster")
    with running_cluster(workdir, replicas=0, tls=tls_files) as cluster:
        yield cluster


@pytest.fixture
def tls_cluster_api(tls_cluster, transactional_db, settings):
    """Return ``point(ca_file) -> Client``: the test client on a backend whose Redis is
    ``tls_cluster``, trusting ``ca_file`` as REDIS_TLS_CA_FILE would make it."""

    def point(ca_file: str) -> Client:
        cache = settings.CACHES["default"]
        options = cache["OPTIONS"]
        pool = {**options["CONNECTION_POOL_KWARGS"], "ssl_ca_certs": ca_file}
        settings.CACHES = {
            "default": {
                **cache,
                "LOCATION": tls_cluster.url,
                "OPTIONS": {**options, "CONNECTION_POOL_KWARGS": pool},
            }
        }
        settings.REDIS_CLUSTER = True
        settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
        return Client(headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})

    yield point
    tls_cluster.flush()


def test_a_score_is_ranked_and_read_back_on_a_cluster_that_speaks_only_tls(
    tls_cluster, tls_cluster_api, tls_files
):
    api = tls_cluster_api(tls_files["ca"])
    payload = {"player_id": "tls-1", "score": 4242, "name": "Over TLS"}

    submitted = api.post(
        "/api/v1/leaderboards/global/scores", json.dumps(payload), content_type="application/json"
    )
    entries = api.get("/api/v1/leaderboards/global/entries?limit=10")

    assert tls_cluster.url.startswith("rediss://")
    assert submitted.status_code == 200, submitted.content
    assert json.loads(submitted.content)["rank"] == 1
    assert json.loads(entries.content)["entries"] == [
        {"rank": 1, "player_id": "tls-1", "name": "Over TLS", "score": 4242, "rank_change": None}
    ]
    assert isinstance(connections.connection(), redis.RedisCluster)
    client = tls_cluster.client()
    try:
        assert client.zcard(layout.zset_key("global")) == 1  # ranked in the TLS cluster itself
    finally:
        client.close()
    assert api.get("/readyz").status_code == 200


def test_a_tls_cluster_the_ca_file_does_not_vouch_for_is_refused_with_503s(
    tls_cluster, tls_cluster_api, tmp_path
):
    stranger = make_tls_files(tmp_path)["ca"]  # a CA that never signed the cluster's certificate
    api = tls_cluster_api(stranger)
    payload = {"player_id": "tls-2", "score": 7, "name": "Refused"}

    entries = api.get("/api/v1/leaderboards/global/entries")
    saved = api.post(
        "/api/v1/leaderboards/global/scores", json.dumps(payload), content_type="application/json"
    )
    ready = api.get("/readyz")

    assert entries.status_code == 503, entries.content
    assert json.loads(entries.content)["error"]["code"] == "redis_unavailable"
    # The database is the truth: the score is kept, and ranked once Redis can be reached.
    assert (saved.status_code, json.loads(saved.content)["rank"]) == (202, None)
    assert (ready.status_code, json.loads(ready.content)["failed"]) == (503, ["redis"])
