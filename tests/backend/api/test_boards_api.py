"""Boards over the API, to a `manage` key: made (POST /api/v1/leaderboards), read, changed
(PATCH) and deleted (DELETE /api/v1/leaderboards/<slug>) by the rules the admin keeps, each
change audited with the key's name, every read following at once, on every worker."""

from __future__ import annotations

import http.client
import json
import os
import time
from pathlib import Path

import pytest
from django.test import Client

from backend_site.api_keys import keys
from backend_site.audit.models import AuditEntry
from backend_site.rankings.calendar import clock, periods
from backend_site.rankings.calendar.boards import BOARD_CACHE_SECONDS
from backend_site.rankings.models import Leaderboard, Score
from common.local_servers import GunicornSite
from tests.backend.api.test_api import assert_error
from tests.backend.conftest import make_board, make_score, resetting_board
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

BOARDS = "/api/v1/leaderboards"
DEFAULTS = {
    "order": "desc",
    "operator": "best",
    "reset": "never",
    "timezone": "UTC",
    "source": None,
    "subscores": [],
    "min_score": None,
    "max_score": None,
    "max_increment": None,
    "max_submissions_per_minute": None,
}


@pytest.fixture
def studio(api) -> Client:
    """A client holding a `manage` key, as a studio's tooling does ("studio-tools"); the
    `api` client reads and submits (the service token: `read` and `write`)."""
    _, secret = keys.key_create(name="studio-tools", scopes="manage")
    AuditEntry.objects.all().delete()  # each test starts with an empty log
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, path: str, payload=None):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.generic(method, path, raw, content_type="application/json")


def listed(api: Client, slug: str) -> dict:
    boards = api.get(BOARDS).json()["leaderboards"]
    return next(board for board in boards if board["slug"] == slug)


def submit(api: Client, slug: str, player_id: str, score: int):
    return send(
        api,
        "POST",
        f"{BOARDS}/{slug}/scores",
        {"player_id": player_id, "score": score, "name": f"Player {player_id}"},
    )


def entries(api: Client, slug: str) -> list[tuple[str, int, int]]:
    answer = api.get(f"{BOARDS}/{slug}/entries")
    assert answer.status_code == 200, answer.content
    return [(e["player_id"], e["rank"], e["score"]) for e in answer.json()["entries"]]


def audited() -> list[tuple[str, str, str, dict]]:
    return [
        (e.actor, e.action, e.target, e.detail) for e in AuditEntry.objects.order_by("at", "id")
    ]


# --- POST /api/v1/leaderboards ------------------------------------------------------------


def test_a_board_made_over_the_api_is_listed_read_and_ranks_scores(api, studio):
    made = send(
        studio,
        "POST",
        BOARDS,
        {
            "slug": "speed-run-s2",
            "title": "  Speed run, season 2 ",
            "order": "asc",
            "max_score": 600_000,
            "max_submissions_per_minute": 30,
        },
    )

    assert made.status_code == 201, made.content
    assert made["Location"] == f"{BOARDS}/speed-run-s2"
    board = made.json()
    assert board == {
        **DEFAULTS,
        "slug": "speed-run-s2",
        "title": "Speed run, season 2",
        "order": "asc",
        "players": 0,
        "max_score": 600_000,
        "max_submissions_per_minute": 30,
        "period": None,
    }
    assert listed(api, "speed-run-s2") == board
    assert api.get(made["Location"]).json() == board
    for player_id, time_ms in (("ann", 61_000), ("bob", 59_500)):
        assert submit(api, "speed-run-s2", player_id, time_ms).status_code == 200
    assert entries(api, "speed-run-s2") == [("bob", 1, 59_500), ("ann", 2, 61_000)]
    assert listed(api, "speed-run-s2")["players"] == 2
    assert assert_error(submit(api, "speed-run-s2", "cat", 700_000), 422, "score_out_of_bounds")


def test_a_board_made_with_its_slug_alone_takes_every_default(api, studio):
    made = send(studio, "POST", BOARDS, {"slug": "plain"})

    assert made.status_code == 201
    assert made.json() == {
        **DEFAULTS,
        "slug": "plain",
        "title": "plain",
        "players": 0,
        "period": None,
    }


def test_a_board_that_resets_is_made_with_its_current_period(api, studio):
    made = send(
        studio,
        "POST",
        BOARDS,
        {"slug": "daily-paris", "reset": "daily", "timezone": "Europe/Paris", "source": "global"},
    )

    assert made.status_code == 201, made.content
    today = periods.period_at("daily", "Europe/Paris", clock.now())
    assert made.json()["period"] == today.as_json()
    assert made.json() == listed(api, "daily-paris")
    assert made.json()["source"] == "global"
    assert submit(api, "global", "ann", 7).status_code == 200  # global feeds it now
    assert entries(api, "daily-paris") == [("ann", 1, 7)]


def test_a_slug_taken_is_a_409_and_changes_nothing(api, studio):
    make_board("taken", title="Taken")

    for slug in ("taken", "global"):
        again = send(studio, "POST", BOARDS, {"slug": slug, "title": "Another"})
        assert assert_error(again, 409, "board_exists") == f"A leaderboard {slug!r} exists already."
    assert listed(api, "taken")["title"] == "Taken"
    assert audited() == []


# --- PATCH /api/v1/leaderboards/<slug> ----------------------------------------------------


def test_a_new_title_order_and_bounds_are_seen_by_the_next_reads_and_writes(api, studio):
    board = make_board("arena", title="Arena")
    for player_id, score in (("ann", 30), ("bob", 20), ("cat", 10)):
        make_score(board, player_id, score)
    assert submit(api, "arena", "dan", 90).status_code == 200  # this process knows the board

    changed = send(
        studio,
        "PATCH",
        f"{BOARDS}/arena",
        {"title": "Arena, fewest points", "order": "asc", "max_score": 50},
    )

    assert changed.status_code == 200, changed.content
    assert changed.json() == listed(api, "arena")
    assert changed.json()["title"] == "Arena, fewest points"
    assert changed.json()["players"] == 4
    assert entries(api, "arena") == [("cat", 1, 10), ("bob", 2, 20), ("ann", 3, 30), ("dan", 4, 90)]
    assert assert_error(submit(api, "arena", "eve", 60), 422, "score_out_of_bounds")
    assert submit(api, "arena", "eve", 5).status_code == 200


def test_a_change_of_nothing_answers_the_board_and_records_nothing(api, studio):
    make_board("arena", title="Arena")

    for payload in ({}, {"title": "Arena", "order": "desc"}):
        same = send(studio, "PATCH", f"{BOARDS}/arena", payload)
        assert same.status_code == 200
        assert same.json() == listed(api, "arena")
    assert audited() == []


def test_reset_and_zone_are_fixed_once_the_board_has_scores(api, studio, now):
    resetting_board("weekly-cup", "weekly", tz="Europe/Paris")
    assert submit(api, "weekly-cup", "ann", 5).status_code == 200

    for field, value in (("reset", "daily"), ("timezone", "UTC"), ("reset", "never")):
        refused = send(studio, "PATCH", f"{BOARDS}/weekly-cup", {field: value, "title": "New"})
        message = assert_error(refused, 409, "board_setting_fixed")
        assert message.startswith(f"{field}: fixed once the board has scores")
    unchanged = listed(api, "weekly-cup")
    assert (unchanged["reset"], unchanged["timezone"], unchanged["title"]) == (
        "weekly",
        "Europe/Paris",
        "Weekly-Cup",
    )
    # Giving them as they are is no change; the other settings still change.
    same = send(
        studio,
        "PATCH",
        f"{BOARDS}/weekly-cup",
        {"reset": "weekly", "timezone": "Europe/Paris", "title": "Weekly cup"},
    )
    assert same.status_code == 200, same.content
    assert same.json()["title"] == "Weekly cup"
    assert entries(api, "weekly-cup") == [("ann", 1, 5)]


def test_reset_and_zone_change_while_the_board_has_no_scores(api, studio):
    make_board("cup")
    assert entries(api, "cup") == []  # its ranking, under the slug alone, is loaded

    changed = send(
        studio, "PATCH", f"{BOARDS}/cup", {"reset": "monthly", "timezone": "America/New_York"}
    )

    assert changed.status_code == 200, changed.content
    month = periods.period_at("monthly", "America/New_York", clock.now())
    assert changed.json()["period"] == month.as_json()
    assert submit(api, "cup", "ann", 5).status_code == 200
    assert api.get(f"{BOARDS}/cup/entries").json()["period"] == month.as_json()
    assert entries(api, "cup") == [("ann", 1, 5)]
    assert Score.objects.get(board__slug="cup").period == month.id


def test_the_default_board_may_change_its_settings_but_is_never_deleted(api, studio):
    changed = send(studio, "PATCH", f"{BOARDS}/global", {"title": "Everyone"})
    refused = send(studio, "DELETE", f"{BOARDS}/global")

    assert changed.status_code == 200
    message = assert_error(refused, 409, "board_protected")
    assert "'global' cannot be deleted" in message
    assert listed(api, "global")["title"] == "Everyone"
    assert [action for _, action, _, _ in audited()] == ["board.change"]


# --- DELETE /api/v1/leaderboards/<slug> ---------------------------------------------------


def test_a_deleted_board_is_gone_from_every_read_and_its_fed_boards_keep_their_scores(api, studio):
    source = make_board("season")
    fed = make_board("all-time")
    fed.source = source
    fed.save()
    assert submit(api, "season", "ann", 5).status_code == 200

    gone = send(studio, "DELETE", f"{BOARDS}/season")

    assert gone.status_code == 204
    assert gone.content == b""
    for method, path in (
        ("GET", f"{BOARDS}/season"),
        ("GET", f"{BOARDS}/season/entries"),
        ("PATCH", f"{BOARDS}/season"),
        ("DELETE", f"{BOARDS}/season"),
    ):
        caller = api if method == "GET" else studio
        assert_error(send(caller, method, path, {} if method == "PATCH" else None), 404)
    assert assert_error(submit(api, "season", "bob", 1), 404)
    assert "season" not in [board["slug"] for board in api.get(BOARDS).json()["leaderboards"]]
    assert listed(api, "all-time")["source"] is None
    assert entries(api, "all-time") == [("ann", 1, 5)]


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "No slug"}, "slug"),
        ({"slug": "ok", "colour": "red"}, "colour"),
        ({"slug": "has space"}, "slug"),
        ({"slug": "x" * 51}, "slug"),
        ({"slug": "é"}, "slug"),
        ({"slug": 5}, "slug"),
        ({"slug": "ok", "title": ""}, "title"),
        ({"slug": "ok", "title": "   "}, "title"),
        ({"slug": "ok", "title": "x" * 101}, "title"),
        ({"slug": "ok", "title": "bad\x00title"}, "title"),
        ({"slug": "ok", "title": "\ud800"}, "title"),
        ({"slug": "ok", "title": None}, "title"),
        ({"slug": "ok", "order": "up"}, "order"),
        ({"slug": "ok", "order": None}, "order"),
        ({"slug": "ok", "operator": ["best"]}, "operator"),
        ({"slug": "ok", "reset": "hourly"}, "reset"),
        ({"slug": "ok", "timezone": "Mars/Olympus"}, "timezone"),
        ({"slug": "ok", "timezone": "../../etc/passwd"}, "timezone"),
        ({"slug": "ok", "timezone": 1}, "timezone"),
        ({"slug": "ok", "timezone": "Europe/Paris" * 6}, "timezone"),
        ({"slug": "ok", "source": "nowhere"}, "source"),
        ({"slug": "ok", "source": "no slug"}, "source"),
        ({"slug": "ok", "min_score": "5"}, "min_score"),
        ({"slug": "ok", "min_score": True}, "min_score"),
        ({"slug": "ok", "min_score": 1.5}, "min_score"),
        ({"slug": "ok", "max_score": 2**53}, "max_score"),
        ({"slug": "ok", "max_score": -(10**40)}, "max_score"),
        ({"slug": "ok", "min_score": 10, "max_score": 9}, "max_score"),
        ({"slug": "ok", "max_increment": 5}, "max_increment"),  # a best board
        ({"slug": "ok", "operator": "increment", "max_increment": 0}, "max_increment"),
        ({"slug": "ok", "max_submissions_per_minute": 0}, "max_submissions_per_minute"),
        ({"slug": "ok", "max_submissions_per_minute": 10_001}, "max_submissions_per_minute"),
    ],
)
def test_a_bad_new_board_is_a_400_naming_the_field_and_makes_nothing(api, studio, payload, field):
    refused = send(studio, "POST", BOARDS, payload)

    assert assert_error(refused, 400, "invalid").startswith(f"{field}:")
    assert not Leaderboard.objects.exclude(slug="global").exists()
    assert audited() == []


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"[]", b"null", b'"slug"', b"\xff{}", b"[" * 100_000, b'{"slug": 1e999}']
)
def test_a_body_that_is_not_a_json_object_is_a_400(api, studio, raw):
    assert_error(send(studio, "POST", BOARDS, raw), 400)
    assert_error(send(studio, "PATCH", f"{BOARDS}/global", raw), 400)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"slug": "renamed"}, "slug"),
        ({"players": 3}, "players"),
        ({"source": "arena"}, "source"),  # itself
        ({"source": "fed"}, "source"),  # a board with a source of its own
        ({"operator": "latest"}, "max_increment"),  # left on a board that no longer adds
        ({"min_score": 200}, "max_score"),  # above the highest
    ],
)
def test_a_bad_change_is_a_400_naming_the_field_and_changes_nothing(api, studio, payload, field):
    arena = make_board("arena", operator="increment")
    Leaderboard.objects.filter(pk=arena.pk).update(max_score=100, max_increment=10)
    fed = make_board("fed")
    fed.source = make_board("other")
    fed.save()
    before = listed(api, "arena")

    refused = send(studio, "PATCH", f"{BOARDS}/arena", payload)

    assert assert_error(refused, 400, "invalid").startswith(f"{field}:")
    assert listed(api, "arena") == before
    assert audited() == []


def test_a_board_that_feeds_others_takes_no_source_so_no_cycle_is_made(api, studio):
    for slug in ("a", "b"):
        assert send(studio, "POST", BOARDS, {"slug": slug}).status_code == 201
    assert send(studio, "PATCH", f"{BOARDS}/b", {"source": "a"}).status_code == 200

    cycle = send(studio, "PATCH", f"{BOARDS}/a", {"source": "b"})
    chain = send(studio, "POST", BOARDS, {"slug": "c", "source": "b"})

    assert assert_error(cycle, 400, "invalid").startswith("source:")
    assert assert_error(chain, 400, "invalid").startswith("source:")
    assert listed(api, "a")["source"] is None


# --- scopes and the audit log -------------------------------------------------------------


@pytest.mark.parametrize("scopes", ["read", "write", "read,write,moderate"])
def test_only_a_manage_key_makes_changes_or_deletes_boards(api, scopes):
    make_board("arena")
    _, secret = keys.key_create(name="other", scopes=scopes)
    other = Client(headers={"Authorization": f"Bearer {secret}"})

    for method, path, payload in (
        ("POST", BOARDS, {"slug": "new"}),
        ("PATCH", f"{BOARDS}/arena", {"title": "Mine"}),
        ("DELETE", f"{BOARDS}/arena", None),
    ):
        refused = send(other, method, path, payload)
        assert "'manage' scope" in assert_error(refused, 403, "insufficient_scope")
    assert sorted(Leaderboard.objects.values_list("slug", flat=True)) == ["arena", "global"]


def test_a_manage_key_neither_reads_nor_submits(api, studio):
    make_board("arena")

    assert_error(studio.get(BOARDS), 403, "insufficient_scope")
    assert_error(studio.get(f"{BOARDS}/arena"), 403, "insufficient_scope")
    assert_error(submit(studio, "arena", "ann", 5), 403, "insufficient_scope")


def test_every_change_is_audited_with_the_keys_name_and_what_changed(api, studio):
    send(studio, "POST", BOARDS, {"slug": "arena", "title": "Arena", "source": "global"})
    send(studio, "PATCH", f"{BOARDS}/arena", {"title": "Arena 2", "max_score": 9, "order": "desc"})
    submit(api, "arena", "ann", 5)
    send(studio, "DELETE", f"{BOARDS}/arena")

    made, changed, deleted = audited()
    assert made == (
        "studio-tools",
        "board.create",
        "board:arena",
        {**DEFAULTS, "title": "Arena", "source": "global"},
    )
    assert changed == (
        "studio-tools",
        "board.change",
        "board:arena",
        {
            "title": {"before": "Arena", "after": "Arena 2"},
            "max_score": {"before": None, "after": 9},
        },
    )
    assert deleted == (
        "studio-tools",
        "board.delete",
        "board:arena",
        {
            **DEFAULTS,
            "title": "Arena 2",
            "source": "global",
            "max_score": 9,
            "scores": 1,
            "unfed": [],
        },
    )


def test_a_refused_change_records_nothing(api, studio):
    make_score(make_board("arena"), "ann", 5)

    send(studio, "PATCH", f"{BOARDS}/arena", {"reset": "daily", "title": "Arena 2"})
    send(studio, "DELETE", f"{BOARDS}/global")
    send(studio, "POST", BOARDS, {"slug": "arena"})

    assert audited() == []
    assert listed(api, "arena")["title"] == "Arena"


# --- served: a board made on one worker, used on another ----------------------------------


class Pinned:
    """A kept-alive HTTP connection to a served site: every request on it goes to the one
    worker that accepted it, which ``worker`` names (from /proc: the worker holding the
    connection's server end)."""

    def __init__(self, site: GunicornSite):
        self.site = site
        self.http = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)

    def call(self, method: str, path: str, secret: str, payload=None) -> tuple[int, dict | None]:
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        body = None if payload is None else json.dumps(payload)
        self.http.request(method, path, body=body, headers=headers)
        answer = self.http.getresponse()
        raw = answer.read()
        return answer.status, json.loads(raw) if raw else None

    def worker(self) -> int:
        client_port = self.http.sock.getsockname()[1]
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            local, remote, inode_field = (line.split()[i] for i in (1, 2, 9))
            ports = int(local.split(":")[1], 16), int(remote.split(":")[1], 16)
            if ports == (self.site.port, client_port):
                inode = inode_field
        assert inode is not None, "the server end of the connection is not in /proc/net/tcp"
        for pid in self.site.worker_pids():
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                        return pid
                except FileNotFoundError:  # closed meanwhile
                    continue
        raise AssertionError("no worker holds the connection")


def pinned_elsewhere(site: GunicornSite, than: int) -> Pinned:
    """A connection served by another worker than ``than`` (the kernel spreads connections
    over the workers' sockets by their ports: a few tries find one)."""
    for _ in range(64):
        connection = Pinned(site)
        assert connection.call("GET", "/healthz", "")[0] == 200
        if connection.worker() != than:
            return connection
        connection.http.close()
    raise AssertionError("every connection went to the same worker")


@pytest.mark.served
def test_a_board_made_on_one_worker_is_used_on_another_at_once(
    redis_url, make_database_url, tmp_path
):
    env = backend_env(redis_url, make_database_url(tmp_path), WEB_CONCURRENCY="2")
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    site.migrate()
    made = site.manage("api_keys", "create", "studio-tools", "--scopes", "manage")
    assert made.returncode == 0, made.stderr
    studio_key = made.stdout.strip()
    site.start()
    try:
        first = Pinned(site)
        assert first.call("GET", "/healthz", "")[0] == 200
        other = pinned_elsewhere(site, than=first.worker())
        # The other worker has looked for the board before it exists.
        assert other.call("GET", f"{BOARDS}/arena/entries", SERVICE_TOKEN)[0] == 404

        status, board = first.call(
            "POST", BOARDS, studio_key, {"slug": "arena", "title": "Arena", "max_score": 1000}
        )
        assert status == 201, board
        status, answer = other.call(
            "POST",
            f"{BOARDS}/arena/scores",
            SERVICE_TOKEN,
            {"player_id": "ann", "score": 500, "name": "Ann"},
        )
        assert (status, answer["rank"]) == (200, 1), answer
        status, page = other.call("GET", f"{BOARDS}/arena/entries", SERVICE_TOKEN)
        assert [(e["player_id"], e["score"]) for e in page["entries"]] == [("ann", 500)]

        status, board = first.call(
            "PATCH", f"{BOARDS}/arena", studio_key, {"title": "Arena, S2", "max_score": 100}
        )
        assert status == 200, board
        status, board = other.call("GET", f"{BOARDS}/arena", SERVICE_TOKEN)
        assert (board["title"], board["max_score"], board["players"]) == ("Arena, S2", 100, 1)
        # The other worker's copy of the board is at most BOARD_CACHE_SECONDS old.
        changed_at = time.monotonic()
        while True:
            status, answer = other.call(
                "POST", f"{BOARDS}/arena/scores", SERVICE_TOKEN, {"player_id": "ann", "score": 600}
            )
            if status == 422:
                break
            assert status == 200, answer
            assert time.monotonic() - changed_at < BOARD_CACHE_SECONDS + 1
            time.sleep(0.2)
        assert answer["error"]["code"] == "score_out_of_bounds"

        assert first.call("DELETE", f"{BOARDS}/arena", studio_key)[0] == 204
        assert other.call("GET", f"{BOARDS}/arena/entries", SERVICE_TOKEN)[0] == 404
        status, answer = other.call(
            "POST", f"{BOARDS}/arena/scores", SERVICE_TOKEN, {"player_id": "ann", "score": 1}
        )
        assert status == 404, answer
    finally:
        site.stop()
    assert "Traceback" not in site.log()
