"""The rebuild lock: one holder at a time, its tag is the value writes journal under."""

from __future__ import annotations

from datetime import UTC, datetime

from backend_site.rankings.ranking_index import builds, layout, store
from backend_site.rankings.ranking_index.rebuild import REBUILD_LOCK_SECONDS, BoardLock
from backend_site.rankings.values import EntryChange, LoadRow
from tests.backend.ranking_index.test_store import TODAY

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_only_one_caller_holds_a_rebuild_lock_at_a_time(redis_client):
    mine = BoardLock("b", client=redis_client)
    assert mine.acquire(wait=0)
    assert redis_client.get(layout.lock_key("b")) == mine.tag.encode()
    other = BoardLock("b", client=redis_client)
    assert not other.acquire(wait=0)
    other.release()  # not its to let go
    assert not other.acquire(wait=0)
    mine.release()
    assert other.acquire(wait=0)


def test_a_waiting_caller_gets_the_lock_once_it_is_let_go(redis_client):
    mine = BoardLock("b", client=redis_client)
    assert mine.acquire(wait=0)
    redis_client.pexpire(layout.lock_key("b"), 200)  # as if its holder died
    assert BoardLock("b", client=redis_client).acquire(wait=2)


def test_renewing_the_lock_keeps_the_journal_of_writes_made_meanwhile(redis_client):
    builds.ranking_load(
        ranking="b",
        title="B",
        order="desc",
        operator="best",
        rows=[LoadRow(player_id="a", name="A", value=1, achieved_at=T0, version=1)],
        tag="t",
        client=redis_client,
    )
    lock = BoardLock("b", client=redis_client)
    assert lock.acquire(wait=0)
    change = EntryChange(player_id="a", version=2, value=5, achieved_at=T0, name="A")
    store.entries_apply(
        ranking="b", order="desc", changes=[change], today=TODAY, client=redis_client
    )
    journal = f"lb:{{b}}:build:{lock.tag}:j"
    assert redis_client.hexists(journal, "a")
    redis_client.pexpire(layout.lock_key("b"), 1000)

    lock.renew()

    assert (
        REBUILD_LOCK_SECONDS - 1 <= redis_client.ttl(layout.lock_key("b")) <= REBUILD_LOCK_SECONDS
    )
    for key in (journal, f"{journal}s"):
        assert layout.JOURNAL_SECONDS - 5 <= redis_client.ttl(key) <= layout.JOURNAL_SECONDS


def test_a_lock_that_expired_and_was_taken_is_neither_renewed_nor_let_go(redis_client):
    lock = BoardLock("b", client=redis_client)
    assert lock.acquire(wait=0)
    redis_client.delete(layout.lock_key("b"))
    other = BoardLock("b", client=redis_client)
    assert other.acquire(wait=0)

    lock.renew()
    lock.release()

    assert redis_client.get(layout.lock_key("b")) == other.tag.encode()
