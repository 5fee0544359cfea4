"""API keys: each client its own key with the narrowest scopes, only a hash stored, the secret
shown once; a revocation reaches every worker within 5 seconds; BACKEND_SERVICE_TOKEN keeps
working as a read-and-write key."""

import time
from datetime import timedelta

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from backend_site.api_keys import keys
from backend_site.api_keys.models import ApiKey
from backend_site.rankings.models import ScoreEvent
from common.local_servers import GunicornSite
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

SCORE = {"player_id": "p1", "score": 5, "name": "Pat"}


@pytest.fixture
def caller(transactional_db, ranking_redis, settings, global_board):
    """``caller(secret)``: a test client sending that bearer secret (a service token is set,
    so nothing is open as in a first local run)."""
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    return lambda secret: Client(headers={"Authorization": f"Bearer {secret}"})


def post_score(client):
    return client.post("/api/v1/leaderboards/global/scores", SCORE, content_type="application/json")


def test_a_read_key_reads_and_is_refused_writes_naming_the_scope(caller):
    key, secret = keys.key_create(name="frontend", scopes="read")
    client = caller(secret)

    assert secret.startswith("lbk_") and key.digest != secret and secret not in key.prefix + "x"
    assert client.get("/api/v1/leaderboards").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    refused = post_score(client)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert "'write'" in refused.json()["error"]["message"]


def test_a_write_key_writes_and_is_refused_reads(caller):
    _, secret = keys.key_create(name="game-server", scopes="write")
    client = caller(secret)

    assert post_score(client).status_code == 200
    refused = client.get("/api/v1/leaderboards")
    assert refused.status_code == 403
    assert "'read'" in refused.json()["error"]["message"]


def test_the_service_token_still_reads_and_writes(caller):
    client = caller(SERVICE_TOKEN)

    assert client.get("/api/v1/leaderboards").status_code == 200
    assert post_score(client).status_code == 200


@pytest.mark.parametrize("how", ["unknown", "revoked", "expired", "not a key"])
def test_a_missing_unknown_revoked_or_expired_key_is_a_401(caller, how):
    _, secret = keys.key_create(name="k", scopes="read,write")
    if how == "unknown":
        secret = keys.PREFIX + "x" * 43
    elif how == "revoked":
        keys.key_revoke(name="k")
    elif how == "expired":
        ApiKey.objects.filter(name="k").update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        secret = "lbk"

    response = caller(secret).get("/api/v1/leaderboards")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert Client().get("/api/v1/leaderboards").status_code == 401  # no key at all


def test_use_is_recorded_and_the_command_lists_keys_without_secrets(caller, capsys):
    call_command("api_keys", "create", "ops", "--scopes", "read", "--expires", "2099-01-01")
    secret = capsys.readouterr().out.strip()
    assert caller(secret).get("/api/v1/leaderboards").status_code == 200

    call_command("api_keys", "list")
    listed = capsys.readouterr().out
    call_command("api_keys", "revoke", "ops")
    keys.forget()

    assert secret.startswith("lbk_") and len(secret.splitlines()) == 1
    assert "ops" in listed and "read" in listed and "active" in listed
    assert secret not in listed and "never" not in listed.split("ops", 1)[1].splitlines()[0]
    assert ApiKey.objects.get(name="ops").last_used_at is not None
    assert caller(secret).get("/api/v1/leaderboards").status_code == 401


def test_the_admin_makes_a_key_and_shows_its_secret_once(caller, client):
    user = get_user_model().objects.create_superuser("root", "", "a-long-password-123")
    client.force_login(user)

    response = client.post(
        "/admin/api_keys/apikey/add/",
        {"name": "from-admin", "scope_choices": ["read"]},
        follow=True,
    )

    (shown,) = [str(m) for m in response.context["messages"] if "lbk_" in str(m)]
    secret = shown.rsplit(" ", 1)[1]
    assert caller(secret).get("/api/v1/leaderboards").status_code == 200
    again = client.get("/admin/api_keys/apikey/").content.decode()
    assert secret not in again and "from-admin" in again


def test_a_revocation_reaches_every_worker_within_five_seconds(
    redis_url, make_database_url, tmp_path
):
    env = backend_env(redis_url, make_database_url(tmp_path), WEB_CONCURRENCY="2")
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    site.migrate()
    made = site.manage("api_keys", "create", "doomed", "--scopes", "read")
    frontend = site.manage("api_keys", "create", "frontend", "--scopes", "read")
    assert made.returncode == frontend.returncode == 0, made.stderr + frontend.stderr
    doomed, read_only = made.stdout.strip(), frontend.stdout.strip()
    site.start()
    try:
        url = f"{site.url}/api/v1/leaderboards"

        def statuses(secret: str, count: int = 20) -> set[int]:
            # A new connection each: the kernel spreads them over both workers.
            return {
                requests.get(url, headers={"Authorization": f"Bearer {secret}",
                                           "Connection": "close"}, timeout=5).status_code
                for _ in range(count)
            }  # fmt: skip

        assert statuses(doomed) == {200}
        revoked = site.manage("api_keys", "revoke", "doomed")
        assert revoked.returncode == 0, revoked.stderr
        time.sleep(keys.VERDICT_SECONDS + 0.5)
        assert statuses(doomed) == {401}
        # The frontend's key (make run gives it a read key) cannot write.
        write = requests.post(
            f"{site.url}/api/v1/leaderboards/global/scores",
            json=SCORE,
            headers={"Authorization": f"Bearer {read_only}"},
            timeout=5,
        )
        assert write.status_code == 403
    finally:
        site.stop()


def test_each_accepted_change_records_the_key_that_made_it(caller):
    _, secret = keys.key_create(name="game-eu-1", scopes="read,write")
    client = caller(secret)

    single = post_score(client)
    batch = client.post(
        "/api/v1/scores/batch",
        {"scores": [{"leaderboard": "global", "player_id": "p2", "score": 7, "name": "Quinn"}]},
        content_type="application/json",
    )
    legacy = post_score(caller(SERVICE_TOKEN))  # the same score again: not better, no event

    assert single.status_code == batch.status_code == 200
    assert legacy.status_code == 200
    events = ScoreEvent.objects.filter(board__slug="global").order_by("id")
    assert [(e.player_id, e.key) for e in events] == [("p1", "game-eu-1"), ("p2", "game-eu-1")]
    legacy_raise = caller(SERVICE_TOKEN).post(
        "/api/v1/leaderboards/global/scores",
        {**SCORE, "score": 50},
        content_type="application/json",
    )
    assert legacy_raise.status_code == 200
    assert ScoreEvent.objects.order_by("-id").first().key == "service-token"
