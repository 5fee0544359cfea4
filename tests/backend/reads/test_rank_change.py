"""Rank movement: each entry's places gained since its ranking's daily snapshot, kept by the
page, standing and apply scripts, checked against ranks computed here from the snapshot."""

from __future__ import annotations

import itertools

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_site.rankings.ranking_index import builds, layout, store
from backend_site.rankings.values import Applied, EntryChange
from tests.backend.ranking_index.test_store import at, load

DAY = "2024-01-01"
NEXT_DAY = "2024-01-02"
_versions = itertools.count(1_000)  # newer than any version load() gives


def write(client, player_id: str, value: int | None, *, today: str = DAY, order: str = "desc"):
    """Apply one committed change (None removes the entry), reached at a later step each time."""
    version = next(_versions)
    change = EntryChange(
        player_id=player_id, version=version, value=value, achieved_at=at(version), name=player_id
    )
    store.entries_apply(ranking="b", order=order, changes=[change], today=today, client=client)


def ranks(scores: dict[str, int], order: str = "desc") -> dict[str, int]:
    """Competition ranks (ties share a rank) of a plain {player: value}."""
    sign = -1 if order == "desc" else 1
    return {p: 1 + sum(sign * w < sign * v for w in scores.values()) for p, v in scores.items()}


def expected_moves(then: dict[str, int], now: dict[str, int], order: str = "desc") -> dict:
    """Each present player's rank then minus rank now; None for one with no entry then."""
    before, after = ranks(then, order), ranks(now, order)
    return {p: before[p] - after[p] if p in before else None for p in now}


def page_moves(client, *, today: str = DAY) -> dict[str, tuple[int, int | None]]:
    page = store.entries_page(ranking="b", offset=0, limit=1000, today=today, client=client)
    return {e.player_id: (e.rank, e.rank_change) for e in page.entries}


def assert_moves(client, then: dict, now: dict, *, today: str = DAY, order: str = "desc"):
    """The page's ranks and rank changes, and every standing's, are the model's."""
    moves = expected_moves(then, now, order)
    now_ranks = ranks(now, order)
    assert page_moves(client, today=today) == {p: (now_ranks[p], moves[p]) for p in now}
    for player_id in now:
        standing = store.entry_standing(
            ranking="b", player_id=player_id, around=2, today=today, client=client
        )
        assert (standing.rank, standing.rank_change) == (now_ranks[player_id], moves[player_id])
        assert {e.player_id: (e.rank, e.rank_change) for e in standing.around} == {
            e.player_id: (now_ranks[e.player_id], moves[e.player_id]) for e in standing.around
        }


START = {"a": 100, "b": 90, "c": 90, "d": 80, "e": 70, "f": 60}


def test_the_first_read_of_a_day_takes_the_snapshot_and_nobody_has_moved(redis_client):
    load(redis_client, START)
    assert page_moves(redis_client) == {p: (r, 0) for p, r in ranks(START).items()}
    assert redis_client.get(layout.movement_keys("b")[0]) == DAY.encode()


def test_a_day_of_overtakes_removals_ties_and_newcomers_moves_each_player(redis_client):
    load(redis_client, START)
    page_moves(redis_client)  # the snapshot of DAY
    now = dict(START)
    for player_id, value in [
        ("e", 95),  # overtakes b, c and d
        ("g", 85),  # new on the board
        ("b", None),  # removed: gone from the page, the others count without them
        ("d", 90),  # ties c
        ("a", 50),  # falls to the bottom
        ("h", 1),  # new, then gone again: not shown
        ("h", None),
    ]:
        write(redis_client, player_id, value)
        if value is None:
            now.pop(player_id, None)
        else:
            now[player_id] = value
    assert_moves(redis_client, START, now)
    assert page_moves(redis_client)["e"] == (1, 4)
    assert page_moves(redis_client)["g"] == (4, None)  # behind c and d, tied 2nd


def test_a_player_changing_several_times_a_day_keeps_their_snapshot_entry(redis_client):
    load(redis_client, START)
    page_moves(redis_client)
    now = dict(START)
    for value in (65, 85, 100, 20, 95):  # f: 6th at the snapshot
        write(redis_client, "f", value)
        now["f"] = value
        assert_moves(redis_client, START, now)
    assert page_moves(redis_client)["f"] == (2, 4)
    assert redis_client.hget(layout.movement_keys("b")[1], "f") == b"-60"  # stored negated


def test_a_player_removed_and_back_the_same_day_counts_from_their_snapshot_rank(redis_client):
    load(redis_client, START)
    page_moves(redis_client)
    write(redis_client, "a", None)
    write(redis_client, "a", 75)
    assert_moves(redis_client, START, {**START, "a": 75})
    assert page_moves(redis_client)["a"] == (4, -3)


def test_a_refused_older_change_moves_nobody(redis_client):
    load(redis_client, START)
    page_moves(redis_client)
    stale = EntryChange(player_id="f", version=1, value=999, achieved_at=at(0), name="f")
    store.entries_apply(ranking="b", order="desc", changes=[stale], today=DAY, client=redis_client)
    assert page_moves(redis_client) == {p: (r, 0) for p, r in ranks(START).items()}


@pytest.mark.parametrize("first_touch", ["read", "write"])
def test_the_next_day_starts_a_new_snapshot_from_the_board_as_it_was_at_midnight(
    redis_client, first_touch
):
    load(redis_client, START)
    page_moves(redis_client)
    write(redis_client, "f", 95)
    write(redis_client, "g", 85)
    midnight = {**START, "f": 95, "g": 85}
    assert_moves(redis_client, START, midnight)
    if first_touch == "read":
        assert page_moves(redis_client, today=NEXT_DAY) == {
            p: (r, 0) for p, r in ranks(midnight).items()
        }
        write(redis_client, "d", 99, today=NEXT_DAY)
    else:  # the day's first write starts the snapshot before it applies
        write(redis_client, "d", 99, today=NEXT_DAY)
    assert_moves(redis_client, midnight, {**midnight, "d": 99}, today=NEXT_DAY)


def test_a_process_still_on_yesterday_does_not_restart_the_day(redis_client):
    load(redis_client, START)
    page_moves(redis_client, today=NEXT_DAY)
    write(redis_client, "f", 95, today=NEXT_DAY)
    write(redis_client, "e", 96, today=DAY)  # a clock a moment behind, just after midnight
    assert_moves(redis_client, START, {**START, "f": 95, "e": 96}, today=NEXT_DAY)
    assert_moves(redis_client, START, {**START, "f": 95, "e": 96}, today=DAY)


def test_an_ascending_board_moves_the_same_way(redis_client):
    times = {"a": 300, "b": 200, "c": 100}
    load(redis_client, times, order="asc")
    page_moves(redis_client)
    write(redis_client, "a", 50, order="asc")
    assert_moves(redis_client, times, {**times, "a": 50}, order="asc")
    assert page_moves(redis_client)["a"] == (1, 2)


def test_a_standing_and_its_neighbours_carry_their_moves(redis_client):
    load(redis_client, {f"p{i}": 100 - i for i in range(10)})  # p0 first (100) ... p9 last
    store.entry_standing(ranking="b", player_id="p0", around=0, today=DAY, client=redis_client)
    write(redis_client, "p8", 150)  # 9th -> 1st
    write(redis_client, "new", 94)  # ties p6, who got there first
    standing = store.entry_standing(
        ranking="b", player_id="p5", around=2, today=DAY, client=redis_client
    )
    assert (standing.rank, standing.rank_change) == (7, -1)
    assert [(e.player_id, e.rank, e.rank_change) for e in standing.around] == [
        ("p3", 5, -1),
        ("p4", 6, -1),
        ("p5", 7, -1),
        ("p6", 8, -1),
        ("new", 8, None),
    ]
    mover = store.entry_standing(
        ranking="b", player_id="p8", around=0, today=DAY, client=redis_client
    )
    assert (mover.rank, mover.rank_change, [e.rank_change for e in mover.around]) == (1, 8, [8])
    newcomer = store.entry_standing(
        ranking="b", player_id="new", around=0, today=DAY, client=redis_client
    )
    assert newcomer.rank_change is None
    last = store.entry_standing(
        ranking="b", player_id="p9", around=0, today=DAY, client=redis_client
    )
    assert (last.rank, last.rank_change) == (11, -1)


def test_a_rebuild_keeps_the_days_moves_and_forgetting_the_board_drops_them(redis_client):
    load(redis_client, START)
    page_moves(redis_client)
    write(redis_client, "f", 95)
    load(redis_client, {**START, "f": 95})  # a rebuild swaps in the same board
    assert page_moves(redis_client)["f"] == (2, 4)
    builds.ranking_forget(ranking="b", client=redis_client)
    assert redis_client.exists(*layout.movement_keys("b")) == 0


values = st.one_of(st.none(), st.integers(min_value=-5, max_value=5))
days = st.lists(
    st.lists(st.tuples(st.sampled_from("abcdefg"), values), max_size=12), min_size=1, max_size=3
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.dictionaries(st.sampled_from("abcdef"), st.integers(-5, 5)), days=days)
def test_moves_match_the_ranks_at_each_days_snapshot(redis_client, start, days):
    """Random writes over a few days on a board of few distinct scores (many ties)."""
    redis_client.delete(*layout.movement_keys("b"))  # each example is a board of its own
    load(redis_client, start)
    now = dict(start)
    for number, changes in enumerate(days):
        today = f"2024-01-0{number + 1}"
        then = dict(now)  # nothing has been written since the day began
        for player_id, value in changes:
            write(redis_client, player_id, value, today=today)
            if value is None:
                now.pop(player_id, None)
            else:
                now[player_id] = value
        assert_moves(redis_client, then, now, today=today)


# --- entries_apply_many ----------------------------------------------------------------------


class CountingConnection(redis.Connection):
    """A connection that counts its writes to the server: one per command or pipeline."""

    sends = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.sends += 1
        super().send_packed_command(command, check_health)


@pytest.fixture
def counted_client(redis_url):
    client = redis.Redis.from_url(redis_url, connection_class=CountingConnection)
    yield client
    client.close()


def change(player_id: str, value: int | None) -> EntryChange:
    version = next(_versions)
    return EntryChange(
        player_id=player_id, version=version, value=value, achieved_at=at(version), name=player_id
    )


@pytest.mark.single_redis_only("counts the writes of a single node's connection")
def test_apply_many_applies_every_ranking_in_one_round_trip(redis_client, counted_client):
    load(redis_client, {"a": 10, "b": 5}, slug="day")
    load(redis_client, {"a": 1}, slug="week")
    for slug in ("day", "week", "gone"):  # the scripts known, the connection open
        store.entries_apply_many(
            batches=[(slug, "desc", [], DAY)], previous_ranks=True, client=counted_client
        )
    CountingConnection.sends = 0
    results = store.entries_apply_many(
        batches=[
            ("day", "desc", [change("b", 20), change("c", 7)], DAY),
            ("gone", "desc", [change("b", 20)], DAY),
            ("week", "desc", [change("b", 20)], DAY),
        ],
        previous_ranks=True,
        client=counted_client,
    )
    assert CountingConnection.sends == 1
    day, gone, week = results
    assert day == (
        3,
        [
            Applied(applied=True, previous_rank=2, rank=1),
            Applied(applied=True, previous_rank=None, rank=3),
        ],
    )
    assert isinstance(gone, store.BoardNotLoaded) and gone.args == ("gone",)
    assert week == (2, [Applied(applied=True, previous_rank=None, rank=1)])
    page = store.entries_page(ranking="day", offset=0, limit=10, today=DAY, client=redis_client)
    assert [(e.player_id, e.rank, e.rank_change) for e in page.entries] == [
        ("b", 1, 1),
        ("a", 2, -1),
        ("c", 3, None),
    ]


@pytest.mark.single_redis_only("counts the writes of a single node's connection")
def test_apply_many_loads_the_script_again_after_a_script_flush(redis_client, counted_client):
    load(redis_client, {"a": 10}, slug="day")
    load(redis_client, {"a": 10}, slug="week")
    counted_client.ping()  # the connection open (its handshake is not the point)
    redis_client.script_flush()
    CountingConnection.sends = 0
    results = store.entries_apply_many(
        batches=[
            ("day", "desc", [change("b", 20)], DAY),
            ("week", "desc", [change("b", 5)], DAY),
        ],
        previous_ranks=False,
        client=counted_client,
    )
    assert CountingConnection.sends == 3  # the pipeline, SCRIPT LOAD, the pipeline again
    assert results == [
        (2, [Applied(applied=True, previous_rank=None, rank=1)]),
        (2, [Applied(applied=True, previous_rank=None, rank=2)]),
    ]


def test_apply_many_raises_other_redis_errors(redis_client):
    redis_client.set(layout.meta_key("odd"), "not a hash")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        store.entries_apply_many(
            batches=[("odd", "desc", [change("a", 1)], DAY)],
            previous_ranks=True,
            client=redis_client,
        )
