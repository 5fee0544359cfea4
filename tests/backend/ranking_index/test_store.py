"""The Redis ranking index on its own: layout, ranks, windows and the atomic board swap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from backend_site.rankings.models import MAX_SCORE, Leaderboard
from backend_site.rankings.ranking_index import builds, connections, layout, rebuild, store
from backend_site.rankings.values import Applied, EntryChange, LoadRow
from backend_site.rankings.writes.services import score_submit

T0 = datetime(2024, 1, 1, tzinfo=UTC)
TODAY = "2024-01-01"  # the day id the store's reads and writes pass (rank changes count from it)


def at(step: int) -> datetime:
    return T0 + timedelta(microseconds=step)


def rows(scores: dict[str, int]) -> list[LoadRow]:
    """Load rows in the given order: earlier players reached their score first."""
    return [
        LoadRow(player_id=pid, name=f"Name {pid}", value=value, achieved_at=at(i), version=i + 1)
        for i, (pid, value) in enumerate(scores.items())
    ]


def load(client, scores: dict[str, int], *, slug: str = "b", order: str = "desc") -> None:
    builds.ranking_load(
        ranking=slug,
        title="B",
        order=order,
        operator="best",
        rows=rows(scores),
        tag="t",
        client=client,
    )


def write(
    client,
    player_id: str,
    value: int | None,
    *,
    version: int,
    step: int = 0,
    name: str = "",
    slug: str = "b",
    order: str = "desc",
) -> tuple[int, Applied]:
    """Apply one committed change (value None removes the entry)."""
    change = EntryChange(
        player_id=player_id,
        version=version,
        value=value,
        achieved_at=at(step),
        name=name or f"Name {player_id}",
    )
    size, (applied,) = store.entries_apply(
        ranking=slug, order=order, changes=[change], today=TODAY, client=client
    )
    return size, applied


def page(client, *, slug: str = "b", offset: int = 0, limit: int = 100) -> list[tuple]:
    result = store.entries_page(
        ranking=slug, offset=offset, limit=limit, today=TODAY, client=client
    )
    return [(e.rank, e.player_id, e.score) for e in result.entries]


def test_a_board_redis_never_saw_is_reported_as_not_loaded(redis_client):
    with pytest.raises(store.BoardNotLoaded):
        store.entries_page(ranking="nope", offset=0, limit=10, today=TODAY, client=redis_client)
    with pytest.raises(store.BoardNotLoaded):
        store.entry_standing(
            ranking="nope", player_id="a", around=2, today=TODAY, client=redis_client
        )
    with pytest.raises(store.BoardNotLoaded):
        write(redis_client, "a", 1, version=1, slug="nope")


def test_a_board_of_an_older_layout_is_reported_as_not_loaded(redis_client):
    load(redis_client, {"a": 1})
    redis_client.hset(layout.meta_key("b"), "layout", "1")
    with pytest.raises(store.BoardNotLoaded):
        store.entries_page(ranking="b", offset=0, limit=10, today=TODAY, client=redis_client)
    assert not store.ranking_is_loaded(ranking="b", client=redis_client)


def test_tied_scores_share_a_rank_and_skip_the_next(redis_client):
    load(redis_client, {"a": 100, "b": 100, "c": 90, "d": 80})
    assert page(redis_client) == [(1, "a", 100), (1, "b", 100), (3, "c", 90), (4, "d", 80)]


def test_a_page_that_starts_inside_a_tie_keeps_the_tie_rank(redis_client):
    load(redis_client, {"a": 100, "b": 90, "c": 90, "d": 90, "e": 70})
    assert page(redis_client, offset=2, limit=2) == [(2, "c", 90), (2, "d", 90)]
    assert page(redis_client, offset=3, limit=5) == [(2, "d", 90), (5, "e", 70)]


def test_an_ascending_board_lists_the_lowest_score_first(redis_client):
    load(redis_client, {"slow": 300, "fast": 100, "mid": 200, "also-fast": 100}, order="asc")
    assert page(redis_client) == [
        (1, "fast", 100),
        (1, "also-fast", 100),
        (3, "mid", 200),
        (4, "slow", 300),
    ]


def test_among_equal_scores_whoever_reached_it_first_is_listed_first(redis_client):
    load(redis_client, {"late": 5, "early": 5})  # "late" reached 5 at step 0
    write(redis_client, "early", 5, version=10, step=-1)
    assert [pid for _, pid, _ in page(redis_client)] == ["early", "late"]


def test_extreme_scores_and_negative_scores_come_back_exactly(redis_client):
    load(redis_client, {"max": MAX_SCORE, "zero": 0, "neg": -5, "min": -MAX_SCORE})
    assert page(redis_client) == [
        (1, "max", MAX_SCORE),
        (2, "zero", 0),
        (3, "neg", -5),
        (4, "min", -MAX_SCORE),
    ]
    load(redis_client, {"max": MAX_SCORE, "almost": MAX_SCORE - 1}, slug="a", order="asc")
    assert page(redis_client, slug="a") == [(1, "almost", MAX_SCORE - 1), (2, "max", MAX_SCORE)]


def test_names_with_quotes_and_emoji_come_back_unchanged(redis_client):
    names = ["O'Brien", 'say "hi"', "Zoë 🎮", "back\\slash", "日本語"]
    builds.ranking_load(
        ranking="b",
        title="B",
        order="desc",
        operator="best",
        tag="t",
        client=redis_client,
        rows=[
            LoadRow(player_id=f"p{i}", name=name, value=10 - i, achieved_at=at(i))
            for i, name in enumerate(names)
        ],
    )
    result = store.entries_page(ranking="b", offset=0, limit=10, today=TODAY, client=redis_client)
    assert [e.name for e in result.entries] == names


def test_an_offset_past_the_end_gives_an_empty_page_and_the_size(redis_client):
    load(redis_client, {"a": 1, "b": 2})
    result = store.entries_page(ranking="b", offset=2, limit=10, today=TODAY, client=redis_client)
    assert (result.total, result.entries) == (2, [])
    huge = store.entries_page(
        ranking="b", offset=2**53 - 1, limit=100, today=TODAY, client=redis_client
    )
    assert (huge.total, huge.entries) == (2, [])


def test_an_empty_loaded_board_has_no_entries(redis_client):
    load(redis_client, {})
    result = store.entries_page(ranking="b", offset=0, limit=10, today=TODAY, client=redis_client)
    assert (result.total, result.entries) == (0, [])
    assert (
        store.entry_standing(ranking="b", player_id="x", around=2, today=TODAY, client=redis_client)
        is None
    )


def test_a_write_moves_the_player_and_reports_ranks_before_and_after_and_size(redis_client):
    load(redis_client, {"a": 30, "b": 20, "c": 10})
    size, applied = write(redis_client, "c", 25, version=10, step=10)
    assert (size, applied) == (3, Applied(applied=True, previous_rank=3, rank=2))
    assert page(redis_client) == [(1, "a", 30), (2, "c", 25), (3, "b", 20)]
    size, applied = write(redis_client, "new", 30, version=11, step=11)
    # Tied with "a", who got there first; a new entry had no rank before.
    assert (size, applied) == (4, Applied(applied=True, previous_rank=None, rank=1))
    assert page(redis_client)[:2] == [(1, "a", 30), (1, "new", 30)]


def test_a_change_older_than_what_redis_holds_is_refused(redis_client):
    load(redis_client, {"a": 30, "b": 20})
    write(redis_client, "b", 50, version=10, step=5)
    _, stale = write(redis_client, "b", 40, version=9, step=4)
    _, again = write(redis_client, "b", 50, version=10, step=5)
    assert (stale.applied, again.applied) == (False, False)
    assert stale.rank == 1  # the rank of what Redis holds
    assert page(redis_client) == [(1, "b", 50), (2, "a", 30)]


def test_a_removal_leaves_a_tombstone_that_refuses_older_changes(redis_client):
    load(redis_client, {"a": 30, "b": 20, "c": 10})
    _, removed = write(redis_client, "b", None, version=10)
    _, late = write(redis_client, "b", 99, version=9)
    assert (removed.applied, removed.previous_rank, removed.rank) == (True, 2, None)
    assert late.applied is False
    assert page(redis_client) == [(1, "a", 30), (2, "c", 10)]
    assert (
        store.entry_standing(ranking="b", player_id="b", around=1, today=TODAY, client=redis_client)
        is None
    )
    _, back = write(redis_client, "b", 5, version=11)
    assert back.applied and page(redis_client)[-1] == (3, "b", 5)


def test_a_rename_is_a_newer_version_of_the_entry(redis_client):
    load(redis_client, {"a": 30, "c": 10})
    write(redis_client, "c", 10, version=10, step=1, name="Cé")
    result = store.entries_page(ranking="b", offset=0, limit=10, today=TODAY, client=redis_client)
    assert [(e.rank, e.player_id, e.name) for e in result.entries] == [
        (1, "a", "Name a"),
        (2, "c", "Cé"),
    ]


def test_writes_during_a_rebuild_are_replayed_onto_the_built_board(redis_client):
    load(redis_client, {"a": 30, "b": 20})
    lock = rebuild.BoardLock("b", client=redis_client)
    assert lock.acquire(wait=0)
    token = lock.tag
    # The database as the rebuild read it: b at 20 (version 2), a at 30.
    builds.ranking_build(
        ranking="b",
        title="B",
        order="desc",
        operator="best",
        rows=rows({"a": 30, "b": 20}),
        tag=token,
        client=redis_client,
    )
    write(redis_client, "b", 50, version=10, step=9)  # committed after the rebuild read
    write(redis_client, "a", None, version=11)
    builds.ranking_swap(ranking="b", tag=token, client=redis_client)
    assert page(redis_client) == [(1, "b", 50)]
    assert rebuild.BoardLock("b", client=redis_client).acquire(wait=0)  # released
    assert not [key for key in redis_client.scan_iter("*") if b":build:" in key]


def test_a_repair_applies_only_where_the_entry_is_still_as_read(redis_client):
    load(redis_client, {"a": 30, "b": 20})
    read = store.entries_read(
        ranking="b",
        players=[("a", layout.seq_bytes(at(0))), ("b", layout.seq_bytes(at(1)))],
        client=redis_client,
    )
    write(redis_client, "b", 70, version=10, step=9)  # a newer write lands meanwhile
    fixes = [
        store.Fix(
            player_id=e.player_id,
            expected=e.raw,
            change=EntryChange(
                player_id=e.player_id, version=1, value=1, achieved_at=at(0), name="Fixed"
            ),
        )
        for e in read
    ]
    assert store.entries_repair(ranking="b", order="desc", fixes=fixes, client=redis_client) == 1
    assert page(redis_client) == [(1, "b", 70), (2, "a", 1)]


def standing_window(client, player_id: str, around: int) -> list[str]:
    standing = store.entry_standing(
        ranking="b", player_id=player_id, around=around, today=TODAY, client=client
    )
    return [e.player_id for e in standing.around]


def test_the_window_around_a_player_shifts_at_the_edges_and_stays_full(redis_client):
    load(redis_client, {f"p{i}": 100 - i for i in range(10)})
    assert standing_window(redis_client, "p0", 2) == ["p0", "p1", "p2", "p3", "p4"]
    assert standing_window(redis_client, "p1", 2) == ["p0", "p1", "p2", "p3", "p4"]
    assert standing_window(redis_client, "p5", 2) == ["p3", "p4", "p5", "p6", "p7"]
    assert standing_window(redis_client, "p9", 2) == ["p5", "p6", "p7", "p8", "p9"]
    assert standing_window(redis_client, "p4", 0) == ["p4"]
    assert standing_window(redis_client, "p4", 25) == [f"p{i}" for i in range(10)]


def test_a_standing_counts_better_and_strictly_worse_players(redis_client):
    load(redis_client, {"a": 100, "b": 90, "c": 90, "d": 80, "e": 80})
    standing = store.entry_standing(
        ranking="b", player_id="c", around=1, today=TODAY, client=redis_client
    )
    assert (standing.rank, standing.score, standing.total, standing.worse) == (2, 90, 5, 2)
    assert standing.name == "Name c"
    assert [(e.rank, e.player_id) for e in standing.around] == [(2, "b"), (2, "c"), (4, "d")]


def test_loading_a_board_replaces_the_live_one_whole(redis_client):
    load(redis_client, {"a": 1, "b": 2, "c": 3})
    load(redis_client, {"c": 10, "d": 20})
    assert page(redis_client) == [(1, "d", 20), (2, "c", 10)]
    assert (
        store.entry_standing(ranking="b", player_id="a", around=0, today=TODAY, client=redis_client)
        is None
    )


def test_a_load_that_fails_midway_leaves_the_live_board_and_no_build_keys(redis_client):
    load(redis_client, {"a": 1, "b": 2})

    def broken_rows():
        yield from rows({"x": 5, "y": 6})
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        builds.ranking_load(
            ranking="b",
            title="B",
            order="desc",
            operator="best",
            rows=broken_rows(),
            chunk=1,
            tag="t",
            client=redis_client,
        )
    assert page(redis_client) == [(1, "b", 2), (2, "a", 1)]
    assert not [key for key in redis_client.scan_iter("*") if b":build:" in key]


def test_rankings_sizes_reads_each_ranking_in_one_pipeline_none_where_not_loaded(redis_client):
    assert store.rankings_sizes(rankings=[], client=redis_client) == []
    load(redis_client, {"a": 1, "b": 2}, slug="zeta")
    load(redis_client, {"a": 1}, slug="alpha", order="asc")
    sizes = store.rankings_sizes(rankings=["alpha", "zeta", "nope"], client=redis_client)
    assert sizes == [1, 2, None]
    builds.ranking_mark_stale(ranking="zeta", client=redis_client)
    assert store.rankings_sizes(rankings=["zeta"], client=redis_client) == [None]
    builds.ranking_forget(ranking="zeta", client=redis_client)
    assert not store.ranking_is_loaded(ranking="zeta", client=redis_client)


def test_lua_and_python_agree_on_which_names_hash_holds_a_player(ranking_redis, transactional_db):
    board = Leaderboard.objects.get(slug="global")
    ids = ["a", "Z9", "p0000001", "player-123456789", "x" * 64, "a.b:c-d_e", "24323"]
    for number, player_id in enumerate(ids):
        score_submit(board=board, player_id=player_id, score=number, name=f"N{number}")

    for player_id in ids:
        key = layout.names_key("global", player_id)
        assert ranking_redis.hexists(key, player_id), (player_id, key)


def test_a_large_board_keeps_its_names_in_compact_hashes(ranking_redis, transactional_db):
    call_command("seed", "--players", "20000", "--random-seed", "1")

    buckets = {layout.names_key("global", f"p{n:07d}") for n in range(1, 20001, 97)}
    encodings = {ranking_redis.object("encoding", key) for key in buckets}
    assert encodings == {b"listpack"}


@pytest.mark.single_redis_only("one single-node client per thread; a cluster client is shared")
def test_each_thread_keeps_its_own_client_and_follows_a_new_pool(
    ranking_redis, settings, redis_server, redis_database
):
    import threading

    from django_redis.pool import ConnectionFactory

    mine = connections.connection()
    assert connections.connection() is mine
    assert mine.ping()
    others = []
    thread = threading.Thread(target=lambda: others.append(connections.connection()))
    thread.start()
    thread.join()
    assert others[0] is not mine

    # Another Redis (here another database of it) is another pool; the client follows it.
    location = settings.CACHES["default"]["LOCATION"]
    assert location == redis_server.database_url(redis_database)
    other = redis_server.database_url(redis_database + 1)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": other}}
    moved = connections.connection()
    assert moved is not mine
    assert moved.connection_pool is not mine.connection_pool
    assert moved.ping()
    assert len(ConnectionFactory._pools) >= 2
