"""Redis follows the database: only committed changes show, never an older one, and a gap
left between a commit and Redis is mended by the entry's next write."""

from __future__ import annotations

import threading

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend_site.rankings.calendar.boards import Ranking
from backend_site.rankings.models import Score
from backend_site.rankings.ranking_index import builds, layout, store, sync
from backend_site.rankings.reads import selectors
from backend_site.rankings.values import EntryChange
from backend_site.rankings.writes import seeding, services
from tests.backend.conftest import make_board, make_score

pytestmark = pytest.mark.django_db(transaction=True)


def shown(slug: str = "global") -> dict[str, tuple[str, int]]:
    page = selectors.board_top(slug=slug, offset=0, limit=100)
    return {e.player_id: (e.name, e.score) for e in page.entries}


def test_a_write_whose_transaction_rolls_back_never_reaches_redis(global_board):
    make_score(global_board, "a", 10)

    with pytest.raises(RuntimeError), transaction.atomic():
        make_score(global_board, "a", 50)
        make_score(global_board, "b", 70)
        raise RuntimeError("the request failed after the score was written")

    assert shown() == {"a": ("Player a", 10)}


def test_a_commit_the_database_refuses_changes_nothing_in_redis(global_board):
    make_score(global_board, "a", 10)

    # The foreign key is checked at commit: the whole transaction fails there.
    with pytest.raises(IntegrityError), transaction.atomic():
        make_score(global_board, "a", 50)
        Score.objects.create(
            board=global_board, player_id="ghost", value=1, achieved_at=timezone.now()
        )

    assert Score.objects.get(player_id="a").value == 10
    assert shown() == {"a": ("Player a", 10)}


def test_a_gap_left_between_commit_and_redis_is_mended_by_the_next_write(global_board):
    make_score(global_board, "a", 10)
    make_score(global_board, "b", 20)
    # As if the process died after the commit: the database moved on, Redis did not.
    with transaction.atomic():
        Score.objects.filter(player_id="a").update(value=90, version=10**9)
    assert shown()["a"] == ("Player a", 10)

    result = make_score(global_board, "a", 5)  # not a new best, but it touches the entry

    assert (result.score, result.updated, result.rank) == (90, False, 1)
    assert shown() == {"a": ("Player a", 90), "b": ("Player b", 20)}


def test_seed_renames_a_returning_player_on_every_board(global_board):
    other = make_board("other")
    make_score(global_board, "p1", 10, name="Old Name")
    make_score(other, "p1", 3)

    seeding.seed_apply(
        slug="third", entries=[seeding.SeedEntry(player_id="p1", name="New Name", score=7)]
    )

    assert shown("global")["p1"] == ("New Name", 10)
    assert shown("other")["p1"] == ("New Name", 3)
    assert shown("third")["p1"] == ("New Name", 7)


def test_a_rename_with_a_score_reaches_every_board_of_the_player(global_board):
    other = make_board("other", operator="increment")
    make_score(global_board, "p1", 10, name="Old")
    make_score(other, "p1", 3)

    services.score_submit(board=other, player_id="p1", score=2, name="New")

    assert shown("global")["p1"] == ("New", 10)
    assert shown("other")["p1"] == ("New", 5)


def test_every_write_gives_the_row_a_newer_version(global_board):
    make_score(global_board, "a", 10)
    first = Score.objects.get(player_id="a").version
    make_score(global_board, "a", 20)
    make_score(global_board, "b", 5)

    versions = list(Score.objects.order_by("player_id").values_list("version", flat=True))

    assert versions[0] > first and versions[1] > versions[0]


def test_the_post_answer_gives_the_rank_before_the_write(api, global_board):
    make_score(global_board, "a", 30)
    make_score(global_board, "b", 20)
    make_score(global_board, "c", 10)

    result = make_score(global_board, "c", 40)

    assert (result.previous_rank, result.rank) == (3, 1)
    assert store.ranking_is_loaded(ranking="global")


def test_a_data_migration_hands_its_boards_to_redis_through_a_rebuild(global_board):
    make_score(global_board, "a", 10)
    with transaction.atomic():  # what a data migration's RunPython does, then the helper
        Score.objects.filter(player_id="a").update(value=77)
        sync.boards_stale_after_migration(django_apps, None)
        assert store.ranking_is_loaded(ranking="global")  # nothing before the commit

    assert not store.ranking_is_loaded(ranking="global")
    assert shown() == {"a": ("Player a", 77)}


def test_a_deferred_update_for_a_board_deleted_meanwhile_does_not_block_later_ones(global_board):
    other = make_board("other")
    make_score(other, "a", 1)
    make_score(global_board, "a", 10)
    stuck = sync.EntriesSync(
        [
            (
                Ranking(other),
                EntryChange(player_id="a", version=10**9, value=5, achieved_at=timezone.now()),
            )
        ]
    )
    other.delete()
    builds.ranking_forget(ranking="other")
    sync._deferred.append(stuck)
    try:
        result = make_score(global_board, "a", 20)
    finally:
        sync._deferred.clear()

    assert result.rank == 1
    assert shown()["a"] == ("Player a", 20)


def test_deferred_updates_retried_by_many_threads_at_once_are_each_applied(global_board):
    """A worker's threads all retry the deferred queue before their own writes. Two of them
    working on it at once applied its head twice and popped one change nobody had applied (or
    popped an empty queue: a 500): each change must be applied, and no thread fail."""
    make_score(global_board, "loaded", 1)  # the board is in Redis: the retries touch only it
    moment = timezone.now()
    for number in range(200):
        change = EntryChange(
            player_id=f"late-{number}", version=10**9 + number, value=number, achieved_at=moment
        )
        sync._deferred.append(sync.EntriesSync([(Ranking(global_board), change)]))
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def retry() -> None:
        start.wait()
        try:
            sync._retry_deferred()
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=retry) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        sync._retry_deferred()  # what a thread that found the queue busy leaves, if any
    finally:
        leftover = len(sync._deferred)
        sync._deferred.clear()

    assert failures == []
    assert leftover == 0
    stored = store.entries_read(
        ranking="global", players=[(f"late-{n}", layout.seq_bytes(moment)) for n in range(200)]
    )
    assert all(entry.in_zset for entry in stored)
