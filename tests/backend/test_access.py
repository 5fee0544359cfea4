"""The backend refuses strangers by network and by token, tested on the real server.

Each backend here runs under gunicorn with production settings; the tests reach it over
loopback, so "outside the allowlist" is produced by configuring an allowlist without it.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import requests

from backend_site import access
from common import local_servers
from common.local_servers import PYTHON, ROOT, GunicornSite
from tests.fixtures.sites import SERVICE_TOKEN, Sites, backend_env

OUTSIDE_LOOPBACK = "10.0.0.0/8"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture(scope="module")
def migrated_database(make_database_url, tmp_path_factory) -> str:
    """One migrated database the module's backends share (they only read it)."""
    workdir = tmp_path_factory.mktemp("access-db")
    database_url = make_database_url(workdir)
    env = backend_env("redis://127.0.0.1:1/0", database_url)
    GunicornSite("backend_site.wsgi", env, workdir / "migrate.log").migrate()
    return database_url


@pytest.fixture(scope="module")
def start_backend(redis_databases, migrated_database, tmp_path_factory):
    """Start a backend with extra environment; all are stopped when the module ends."""
    sites = Sites(tmp_path_factory, "access-site")
    redis_url = redis_databases.take_url()  # the module's backends only read it

    def start(**extra: str) -> GunicornSite:
        env = backend_env(redis_url, migrated_database, WEB_CONCURRENCY="1", **extra)
        return sites.start("backend_site.wsgi", env)

    yield start
    sites.stop_all()


@pytest.fixture(scope="module")
def outsider_view(start_backend) -> GunicornSite:
    """A backend whose allowlist leaves out loopback, so the tests are strangers to it."""
    return start_backend(BACKEND_ALLOWED_NETWORKS=OUTSIDE_LOOPBACK)


@pytest.fixture(scope="module")
def behind_proxy(start_backend) -> GunicornSite:
    """A backend that believes X-Forwarded-For from loopback, as from a proxy in front of it."""
    return start_backend(
        BACKEND_ALLOWED_NETWORKS=OUTSIDE_LOOPBACK, BACKEND_TRUSTED_PROXIES="127.0.0.1/32"
    )


@pytest.fixture(scope="module")
def rotating(start_backend) -> GunicornSite:
    """A backend in the middle of a token rotation: the old and the new token both work."""
    return start_backend(BACKEND_SERVICE_TOKEN="old-token-being-retired, new-token-taking-over")


def refusal(response: requests.Response) -> str:
    assert response.headers["Content-Type"] == "application/json"
    return response.json()["error"]["code"]


@pytest.fixture
def failed_start(make_database_url, tmp_path):
    """Run gunicorn as App Runner would, with extra environment; return once it has given up."""

    def start(**extra: str) -> subprocess.CompletedProcess:
        env = backend_env("redis://127.0.0.1:1/0", make_database_url(tmp_path), **extra)
        site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
        return subprocess.run(
            [PYTHON, "-m", "gunicorn", "backend_site.wsgi"],
            cwd=ROOT,
            env={**site.env, "WEB_CONCURRENCY": "1"},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return start


# --- network allowlist ------------------------------------------------------------------


def test_a_caller_outside_the_allowed_networks_gets_a_json_403_even_with_the_token(
    outsider_view,
):
    response = requests.get(f"{outsider_view.url}/getdata", headers=AUTH, timeout=5)

    assert response.status_code == 403
    assert refusal(response) == "forbidden"


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_let_a_stranger_in(
    outsider_view,
):
    headers = {**AUTH, "X-Forwarded-For": "10.1.2.3"}

    response = requests.get(f"{outsider_view.url}/getdata", headers=headers, timeout=5)

    assert response.status_code == 403


def test_a_spoofed_forwarded_for_from_an_allowed_peer_changes_nothing(backend_server):
    headers = {**AUTH, "X-Forwarded-For": "203.0.113.7"}

    response = requests.get(f"{backend_server.url}/getdata", headers=headers, timeout=5)

    assert response.status_code == 200


def test_a_refusal_is_logged_with_the_address_it_was_judged_by(outsider_view):
    requests.get(f"{outsider_view.url}/api/v1/leaderboards", headers=AUTH, timeout=5)

    assert "refused /api/v1/leaderboards from 127.0.0.1" in outsider_view.log()


def test_behind_a_trusted_proxy_the_forwarded_client_inside_the_allowlist_gets_in(behind_proxy):
    headers = {**AUTH, "X-Forwarded-For": "10.20.30.40"}

    response = requests.get(f"{behind_proxy.url}/getdata", headers=headers, timeout=5)

    assert response.status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_client_outside_the_allowlist_is_refused(
    behind_proxy,
):
    headers = {**AUTH, "X-Forwarded-For": "203.0.113.7"}

    response = requests.get(f"{behind_proxy.url}/getdata", headers=headers, timeout=5)

    assert response.status_code == 403


def test_behind_a_trusted_proxy_a_hop_the_client_made_up_is_ignored(behind_proxy):
    # The proxy appends the real client (203.0.113.7) after whatever the client sent.
    headers = {**AUTH, "X-Forwarded-For": "10.20.30.40, 203.0.113.7"}

    response = requests.get(f"{behind_proxy.url}/getdata", headers=headers, timeout=5)

    assert response.status_code == 403


def test_behind_a_trusted_proxy_an_unreadable_forwarded_address_is_refused(behind_proxy):
    headers = {**AUTH, "X-Forwarded-For": "not-an-address"}

    response = requests.get(f"{behind_proxy.url}/getdata", headers=headers, timeout=5)

    assert response.status_code == 403


def test_the_admin_answers_inside_the_allowlist_with_its_own_login(backend_server):
    response = requests.get(f"{backend_server.url}/admin/login/", timeout=5)

    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_the_admin_is_unreachable_from_outside_the_allowlist(outsider_view):
    response = requests.get(f"{outsider_view.url}/admin/login/", timeout=5)

    assert response.status_code == 403
    assert refusal(response) == "forbidden"


# --- health check -----------------------------------------------------------------------


def test_the_health_check_answers_strangers_without_a_token_and_says_nothing_more(
    outsider_view,
):
    response = requests.get(
        f"{outsider_view.url}/healthz", headers={"Host": "checker.invalid"}, timeout=5
    )

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_readiness_check_is_kept_inside_the_allowlist(outsider_view):
    response = requests.get(f"{outsider_view.url}/readyz", timeout=5)

    assert response.status_code == 403


# --- service token ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/getdata", "/api/v1/leaderboards", "/api/v1/unknown"])
def test_an_api_call_without_the_token_gets_a_json_401(backend_server, path):
    response = requests.get(f"{backend_server.url}{path}", timeout=5)

    assert response.status_code == 401
    assert refusal(response) == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong-token",
        f"Bearer {SERVICE_TOKEN}x",
        f"Basic {SERVICE_TOKEN}",
        f"{SERVICE_TOKEN}",
        "Bearer ",
    ],
)
def test_an_api_call_with_a_wrong_token_gets_a_json_401(backend_server, authorization):
    response = requests.get(
        f"{backend_server.url}/getdata", headers={"Authorization": authorization}, timeout=5
    )

    assert response.status_code == 401


def test_an_api_call_with_the_token_gets_its_answer(backend_server):
    response = requests.get(f"{backend_server.url}/api/v1/leaderboards", headers=AUTH, timeout=5)

    assert response.status_code == 200
    assert "leaderboards" in response.json()


def test_a_score_can_be_submitted_with_the_token_and_not_without_it(backend_server):
    url = f"{backend_server.url}/api/v1/leaderboards/global/scores"
    body = {"player_id": "access-1", "score": 1234, "name": "Token Holder"}

    refused = requests.post(url, json=body, timeout=5)
    accepted = requests.post(url, json=body, headers=AUTH, timeout=5)

    assert refused.status_code == 401
    assert accepted.status_code == 200
    assert accepted.json()["score"] == 1234


@pytest.mark.parametrize("token", ["old-token-being-retired", "new-token-taking-over"])
def test_during_a_rotation_both_the_old_and_the_new_token_are_accepted(rotating, token):
    response = requests.get(
        f"{rotating.url}/getdata", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )

    assert response.status_code == 200


def test_during_a_rotation_any_other_token_is_still_refused(rotating):
    for token in ["old-token-being-retired,new-token-taking-over", SERVICE_TOKEN, "new-token"]:
        response = requests.get(
            f"{rotating.url}/getdata", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert response.status_code == 401, token


def test_curl_without_the_token_gets_401(backend_server):
    curl = shutil.which("curl")
    assert curl, "this test needs curl (Debian package curl; .ci/run installs it)"

    result = subprocess.run(
        [curl, "--silent", "--write-out", "\n%{http_code}", f"{backend_server.url}/getdata"],
        capture_output=True,
        text=True,
        timeout=10,
    )

    body, status = result.stdout.rsplit("\n", 1)
    assert status == "401"
    assert '"unauthorized"' in body


# --- refusing to start ------------------------------------------------------------------


def test_without_any_token_a_production_backend_starts_and_refuses_every_api_call(
    start_backend,
):
    backend = start_backend(BACKEND_SERVICE_TOKEN="")

    anonymous = requests.get(f"{backend.url}/api/v1/leaderboards", timeout=5)
    old_token = requests.get(f"{backend.url}/api/v1/leaderboards", headers=AUTH, timeout=5)

    assert (anonymous.status_code, refusal(anonymous)) == (401, "unauthorized")
    assert (old_token.status_code, refusal(old_token)) == (401, "unauthorized")
    assert requests.get(f"{backend.url}/readyz", timeout=5).status_code == 200
    assert "Neither BACKEND_SERVICE_TOKEN nor BACKEND_READ_TOKEN is set" in backend.log()


def test_a_read_token_reads_and_cannot_write(start_backend):
    backend = start_backend(BACKEND_READ_TOKEN="the-frontends-read-only-secret")
    reader = {"Authorization": "Bearer the-frontends-read-only-secret"}

    read = requests.get(f"{backend.url}/api/v1/leaderboards", headers=reader, timeout=5)
    write = requests.post(
        f"{backend.url}/api/v1/leaderboards/global/scores",
        json={"player_id": "read-token", "score": 1, "name": "Read Token"},
        headers=reader,
        timeout=5,
    )

    assert read.status_code == 200
    assert (write.status_code, refusal(write)) == (403, "insufficient_scope")
    assert "'write' scope" in write.json()["error"]["message"]


def test_the_backend_refuses_to_start_with_an_allowlist_it_cannot_read(failed_start):
    result = failed_start(BACKEND_ALLOWED_NETWORKS="10.0.0.0/8,office-network")

    assert result.returncode != 0
    assert "BACKEND_ALLOWED_NETWORKS" in result.stdout + result.stderr
    assert "office-network" in result.stdout + result.stderr


# --- end to end: the frontend is the caller the token is for ------------------------------


def frontend_env(backend_url: str, token: str, workdir) -> dict[str, str]:
    return local_servers.frontend_env(
        backend_url,
        workdir / "static",
        secret_key="test-secret-key-for-the-frontend-in-the-access-tests",
        service_token=token,
        WEB_CONCURRENCY="1",
        FRONTEND_CACHE_DIR=str(workdir / "cache"),
    )


@pytest.fixture
def start_frontend(tmp_path):
    started: list[GunicornSite] = []

    def start(backend_url: str, token: str) -> GunicornSite:
        workdir = tmp_path / f"frontend-{len(started)}"
        workdir.mkdir()
        env = frontend_env(backend_url, token, workdir)
        site = GunicornSite("frontend_site.wsgi", env, workdir / "gunicorn.log")
        started.append(site)
        site.start()
        return site

    yield start
    for site in started:
        site.stop()


def test_the_frontend_with_the_token_shows_the_board_and_without_it_gets_nothing(
    redis_databases, start_backend, start_frontend
):
    # A Redis database of its own, so the shared backend's board is left as other tests expect.
    backend = start_backend(REDIS_URL=redis_databases.take_url())
    requests.post(
        f"{backend.url}/api/v1/leaderboards/global/scores",
        json={"player_id": "access-e2e", "score": 10**15, "name": "Seen Through The Frontend"},
        headers=AUTH,
        timeout=5,
    ).raise_for_status()
    trusted = start_frontend(backend.url, SERVICE_TOKEN)
    impostor = start_frontend(backend.url, "a-token-the-backend-never-issued")

    shown = requests.get(f"{trusted.url}/data.json", timeout=10)
    refused = requests.get(f"{impostor.url}/data.json", timeout=10)

    assert shown.status_code == 200
    assert shown.json()[0]["name"] == "Seen Through The Frontend"
    assert refused.status_code == 503
    assert "Seen Through The Frontend" not in refused.text


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/v1/leaderboards", "read"),
        ("HEAD", "/api/v1/leaderboards/cup", "read"),
        ("POST", "/api/v1/leaderboards", "manage"),
        ("PATCH", "/api/v1/leaderboards/cup", "manage"),
        ("DELETE", "/api/v1/leaderboards/cup", "manage"),
        ("PUT", "/api/v1/leaderboards/cup", "write"),  # a 405
        ("PATCH", "/api/v1/leaderboards", "write"),  # a 405
        ("DELETE", "/api/v1/leaderboards/cup/scores", "write"),  # a 405
        ("POST", "/api/v1/leaderboards/cup/scores", "write"),
        ("POST", "/api/v1/leaderboards/cup/players/lookup", "read"),
        ("POST", "/api/v1/leaderboards/", "write"),  # no such path: a 404
        ("POST", "/api/v1/leaderboardsx", "write"),
        ("POST", "/api/v1/scores/batch", "write"),
        ("DELETE", "/api/v1/players/p1", "moderate"),
        ("GET", "/api/v1/audit", "moderate"),
    ],
)
def test_boards_are_managed_with_the_manage_scope_and_what_is_under_them_is_not(
    method, path, scope
):
    assert access.scope_needed(method, path) == scope
