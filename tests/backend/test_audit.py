"""The audit log: every key made or revoked and every admin change is recorded once, with who
made it; GET /api/v1/audit lists them newest first to a `moderate` key only; prune_audit ages
them out after AUDIT_RETENTION_DAYS."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from backend_site.api_keys import keys
from backend_site.api_keys.models import ApiKey
from backend_site.audit import log
from backend_site.audit.models import AuditEntry
from backend_site.rankings import acting
from backend_site.rankings.models import Leaderboard
from common.local_servers import GunicornSite
from tests.backend.conftest import make_board, make_score
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def caller(ranking_redis, settings):
    """``caller(secret)``: a test client sending that bearer secret."""
    settings.BACKEND_SERVICE_TOKENS = [SERVICE_TOKEN]
    return lambda secret: Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def moderator(caller):
    """A client holding a key with the `moderate` scope."""
    _, secret = keys.key_create(name="moderator", scopes="moderate")
    AuditEntry.objects.all().delete()  # each test starts with an empty log
    return caller(secret)


@pytest.fixture
def admin_client(client, ranking_redis):
    user = get_user_model().objects.create_superuser("root", "", "a-long-password-123")
    client.force_login(user)
    return client


def make_entry(at: datetime, action: str = "key.create", target: str = "key:k") -> AuditEntry:
    return AuditEntry.objects.create(
        at=at, actor="command:api_keys", action=action, target=target, detail={}
    )


def recorded() -> list[tuple[str, str, str]]:
    """(actor, action, target) of every entry, oldest first."""
    return [(e.actor, e.action, e.target) for e in AuditEntry.objects.order_by("at", "id")]


# --- what is recorded ---------------------------------------------------------------------


def test_keys_made_and_revoked_with_the_command_name_the_command(capsys):
    call_command("api_keys", "create", "ops", "--scopes", "read,write", "--rate", "50/s")
    call_command("api_keys", "revoke", "ops")
    call_command("api_keys", "revoke", "ops")  # already revoked: nothing changes
    call_command("api_keys", "create", "ops", "--scopes", "read", "--replace")
    capsys.readouterr()

    assert recorded() == [
        ("command:api_keys", "key.create", "key:ops"),
        ("command:api_keys", "key.revoke", "key:ops"),
        ("command:api_keys", "key.create", "key:ops"),
    ]
    first, _, replacing = AuditEntry.objects.order_by("at", "id")
    assert first.detail["scopes"] == "read,write" and first.detail["rate"] == 50
    assert first.detail["replaced"] is False and replacing.detail["replaced"] is True
    secret_parts = {e.detail.get("prefix") for e in AuditEntry.objects.all()}
    assert all(len(part) == 12 for part in secret_parts)  # the shown prefix, never the secret


def test_a_key_made_in_the_admin_is_recorded_once_naming_the_admin(admin_client):
    response = admin_client.post(
        "/admin/api_keys/apikey/add/", {"name": "from-admin", "scope_choices": ["read"]}
    )

    assert response.status_code == 302
    assert recorded() == [("admin:root", "key.create", "key:from-admin")]
    assert LogEntry.objects.count() == 1  # the admin's own history still has it


def test_keys_revoked_in_the_admin_name_the_admin(admin_client):
    keys.key_create(name="a", scopes="read", actor="command:api_keys")
    keys.key_create(name="b", scopes="read", actor="command:api_keys")
    selected = list(ApiKey.objects.values_list("pk", flat=True))

    response = admin_client.post(
        "/admin/api_keys/apikey/", {"action": "revoke", "_selected_action": selected}
    )

    assert response.status_code == 302
    assert sorted(recorded()[2:]) == [
        ("admin:root", "key.revoke", "key:a"),
        ("admin:root", "key.revoke", "key:b"),
    ]


def test_a_board_changed_in_the_admin_is_recorded_with_the_change(admin_client):
    board = make_board("weekly", title="Weekly")

    response = admin_client.post(
        f"/admin/rankings/leaderboard/{board.pk}/change/",
        {
            "slug": "weekly",
            "title": "This week",
            "order": "desc",
            "operator": "best",
            "reset": "never",
            "timezone": "UTC",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    # Recorded once, by writes/boards.py as the API's changes are (the admin's LogEntry is
    # kept in its history, not copied a second time).
    (entry,) = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.target) == (
        "admin:root",
        "board.change",
        "board:weekly",
    )
    assert entry.detail == {"title": {"before": "Weekly", "after": "This week"}}
    assert LogEntry.objects.get().get_change_message() == "Changed Title."


def test_boards_made_and_deleted_in_the_admin_are_recorded_once_bulk_deletes_too(admin_client):
    fields = {"order": "desc", "operator": "best", "reset": "never", "timezone": "UTC"}
    for slug in ("one", "two", "three"):
        made = admin_client.post(
            "/admin/rankings/leaderboard/add/", {"slug": slug, "title": slug.title(), **fields}
        )
        assert made.status_code == 302, made.content[:2000]
    pks = dict(Leaderboard.objects.values_list("slug", "pk"))

    single = admin_client.post(f"/admin/rankings/leaderboard/{pks['one']}/delete/", {"post": "yes"})
    bulk = admin_client.post(
        "/admin/rankings/leaderboard/",
        {"action": "delete_selected", "_selected_action": [pks["two"], pks["three"]], "post": 1},
    )

    assert single.status_code == bulk.status_code == 302
    assert sorted(recorded()) == sorted(
        [("admin:root", "board.create", f"board:{slug}") for slug in ("one", "two", "three")]
        + [("admin:root", "board.delete", f"board:{slug}") for slug in ("one", "two", "three")]
    )
    assert (
        AuditEntry.objects.get(action="board.create", target="board:two").detail["title"] == "Two"
    )
    assert not Leaderboard.objects.filter(slug__in=["one", "two", "three"]).exists()


def test_admin_additions_and_deletions_are_recorded_one_by_one_bulk_ones_too(admin_client):
    board = make_board("daily")
    for player_id in ("p1", "p2", "p3"):
        make_score(board, player_id, 10)

    added = admin_client.post("/admin/rankings/player/add/", {"player_id": "p4", "name": "Quinn"})
    single = admin_client.post("/admin/rankings/player/p3/delete/", {"post": "yes"})
    bulk = admin_client.post(
        "/admin/rankings/player/",
        {"action": "delete_selected", "_selected_action": ["p1", "p2"], "post": "yes"},
    )

    assert added.status_code == single.status_code == bulk.status_code == 302
    assert recorded() == [
        ("admin:root", "admin.add", "rankings.player:p4"),
        ("admin:root", "admin.delete", "rankings.player:p3"),
        ("admin:root", "admin.delete", "rankings.player:p1"),
        ("admin:root", "admin.delete", "rankings.player:p2"),
    ]
    assert AuditEntry.objects.get(target="rankings.player:p1").detail["object"] == (
        "Player p1 (p1)"
    )


def test_a_bulk_delete_shown_for_confirmation_records_nothing(admin_client):
    make_score(make_board("daily"), "p1", 10)

    shown = admin_client.post(
        "/admin/rankings/player/", {"action": "delete_selected", "_selected_action": ["p1"]}
    )

    assert shown.status_code == 200  # "Are you sure?"
    assert recorded() == []


def test_a_key_made_during_an_api_request_names_its_key_by_default(caller):
    token = acting.key_name.set("ops-tooling")
    try:
        keys.key_create(name="made-by-tooling", scopes="read")
    finally:
        acting.key_name.reset(token)
    keys.key_create(name="made-in-a-shell", scopes="read")

    assert recorded() == [
        ("ops-tooling", "key.create", "key:made-by-tooling"),
        (log.UNKNOWN, "key.create", "key:made-in-a-shell"),
    ]


# --- GET /api/v1/audit --------------------------------------------------------------------


def test_the_log_is_listed_newest_first_a_page_at_a_time(moderator):
    for minutes in range(5):
        make_entry(T0 + timedelta(minutes=minutes), target=f"key:k{minutes}")

    everything = moderator.get("/api/v1/audit").json()["entries"]
    first = moderator.get("/api/v1/audit?limit=2").json()["entries"]
    after = moderator.get("/api/v1/audit", {"limit": 2, "before": first[-1]["at"]}).json()

    assert [e["target"] for e in everything] == ["key:k4", "key:k3", "key:k2", "key:k1", "key:k0"]
    assert everything[0] == {
        "at": "2026-12-01T08:04:00+00:00",
        "actor": "command:api_keys",
        "action": "key.create",
        "target": "key:k4",
        "detail": {},
    }
    assert [e["target"] for e in first] == ["key:k4", "key:k3"]
    assert [e["target"] for e in after["entries"]] == ["key:k2", "key:k1"]


@pytest.mark.parametrize(
    ("before", "targets"),
    [
        ("2026-12-01T08:02:00Z", ["key:k1", "key:k0"]),  # strictly older
        ("2026-12-01T09:02:00+01:00", ["key:k1", "key:k0"]),  # the same instant
        ("2026-12-01t08:01:30.5z", ["key:k1", "key:k0"]),
        ("0001-01-01T00:00:00+05:00", []),  # before year 1 in UTC: nothing is older
        ("9999-12-31T23:59:59-05:00", ["key:k2", "key:k1", "key:k0"]),
        ("", ["key:k2", "key:k1", "key:k0"]),  # empty: from the newest
    ],
)
def test_before_takes_any_iso_8601_time_with_its_offset(moderator, before, targets):
    for minutes in range(3):
        make_entry(T0 + timedelta(minutes=minutes), target=f"key:k{minutes}")

    answer = moderator.get("/api/v1/audit", {"before": before})

    assert answer.status_code == 200
    assert [e["target"] for e in answer.json()["entries"]] == targets


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("before=yesterday", "before"),
        ("before=2026-12-01", "before"),
        ("before=2026-12-01T08:00:00", "before"),  # no offset: which 08:00?
        ("before=2026-12-01T08:00:00+01:00", "before"),  # the + arrived as a space
        ("before=2024-01-01T12:99:00Z", "before"),
        ("before=2026-02-30T00:00:00Z", "before"),
    ],
)
def test_a_bad_limit_or_before_is_a_400_naming_it(moderator, query, field):
    answer = moderator.get(f"/api/v1/audit?{query}")

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid" and error["message"].startswith(f"{field}:")


def test_the_limit_reaches_500(moderator):
    AuditEntry.objects.bulk_create(
        AuditEntry(at=T0 + timedelta(seconds=n), actor="a", action="b", target="c")
        for n in range(501)
    )

    assert len(moderator.get("/api/v1/audit?limit=500").json()["entries"]) == 500
    assert len(moderator.get("/api/v1/audit").json()["entries"]) == 50


@pytest.mark.parametrize("scopes", ["read", "read,write", "write,manage"])
def test_a_key_without_the_moderate_scope_is_refused(caller, scopes):
    _, secret = keys.key_create(name="no-moderate", scopes=scopes)

    for client in (caller(secret), caller(SERVICE_TOKEN)):
        answer = client.get("/api/v1/audit")
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "insufficient_scope"
        assert "'moderate'" in answer.json()["error"]["message"]


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_lists_and_searches_the_log_and_cannot_change_it(admin_client):
    make_entry(T0, target="key:game-eu-1")
    entry = make_entry(T0 + timedelta(minutes=1), action="key.revoke", target="key:game-us-1")

    listed = admin_client.get("/admin/audit/auditentry/").content.decode()
    searched = admin_client.get("/admin/audit/auditentry/?q=game-us").content.decode()
    shown = admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/")

    assert listed.index("key:game-us-1") < listed.index("key:game-eu-1")  # newest first
    assert "key:game-us-1" in searched and "key:game-eu-1" not in searched
    assert shown.status_code == 200 and b'name="_save"' not in shown.content
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    deleted = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert AuditEntry.objects.count() == 2


# --- retention ----------------------------------------------------------------------------


def test_prune_audit_deletes_entries_past_the_retention_in_chunks(settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    for days in (400, 31, 30.5):
        make_entry(now - timedelta(days=days), target=f"key:old-{days}")
    make_entry(now - timedelta(days=29), target="key:kept")

    call_command("prune_audit", "--chunk", "2")

    assert "Removed 3 audit entries older than 30 days." in capsys.readouterr().out
    assert [target for _, _, target in recorded()] == ["key:kept", "audit"]
    pruned = AuditEntry.objects.get(action="audit.prune")
    assert pruned.actor == "command:prune_audit"
    assert pruned.detail == {"days": 30, "removed": 3}


def test_prune_audit_with_nothing_to_prune_records_nothing(capsys):
    make_entry(timezone.now(), target="key:new")

    call_command("prune_audit")

    assert "Removed 0" in capsys.readouterr().out
    assert len(recorded()) == 1
    with pytest.raises(CommandError, match="--days"):
        call_command("prune_audit", "--days", "0")


# --- served -------------------------------------------------------------------------------


def test_a_served_backend_lists_what_its_commands_did_to_a_moderator_only(
    redis_url, make_database_url, tmp_path
):
    env = backend_env(redis_url, make_database_url(tmp_path), WEB_CONCURRENCY="2")
    site = GunicornSite("backend_site.wsgi", env, tmp_path / "gunicorn.log")
    site.migrate()
    made = [site.manage("api_keys", "create", name, "--scopes", scopes)
            for name, scopes in [("moderator", "moderate"), ("reader", "read"),
                                 ("doomed", "write")]]  # fmt: skip
    revoked = site.manage("api_keys", "revoke", "doomed")
    assert all(done.returncode == 0 for done in [*made, revoked]), [d.stderr for d in made]
    moderator, reader = made[0].stdout.strip(), made[1].stdout.strip()
    site.start()
    try:
        url = f"{site.url}/api/v1/audit"

        def get(secret: str, **params) -> requests.Response:
            headers = {"Authorization": f"Bearer {secret}"}
            return requests.get(url, params=params, headers=headers, timeout=5)

        entries = get(moderator).json()["entries"]
        # requests writes the "+" of the offset as %2B, as a caller must.
        older = get(moderator, before=entries[1]["at"], limit=1).json()["entries"]
        refused = get(reader)
    finally:
        site.stop()

    assert [(e["actor"], e["action"], e["target"]) for e in entries] == [
        ("command:api_keys", "key.revoke", "key:doomed"),
        ("command:api_keys", "key.create", "key:doomed"),
        ("command:api_keys", "key.create", "key:reader"),
        ("command:api_keys", "key.create", "key:moderator"),
    ]
    assert datetime.fromisoformat(entries[0]["at"]) > datetime.fromisoformat(entries[1]["at"])
    assert [e["target"] for e in older] == ["key:reader"]
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
