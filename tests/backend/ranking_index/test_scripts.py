"""Each Lua script of store.py, run for real: the reply it sends and the names it is read as."""

from __future__ import annotations

import random

import pytest

from backend_site.rankings.ranking_index import builds, connections, layout, scripts, store
from backend_site.rankings.values import Applied, EntryChange, Page, Standing
from common.entries import Entry
from tests.backend.ranking_index.test_store import TODAY, at, load

KEYS = layout.ranking_keys("b")
READ_KEYS = [*KEYS, *layout.movement_keys("b")]
APPLY_KEYS = [*READ_KEYS, layout.lock_key("b")]


def test_the_page_script_sends_the_size_then_five_fields_a_row(redis_client):
    load(redis_client, {"a": 30, "b": 20, "c": 20})
    still = connections.run(
        store._PAGE, READ_KEYS, [0, 1, TODAY], redis_client
    )  # the day's snapshot
    assert still == [
        3,
        0,  # nothing moved since the snapshot: four fields a row, every change 0
        *(b"a", b"Name a", 30, 1),
        *(b"b", b"Name b", 20, 2),
    ]
    assert [entry.rank_change for entry in store._page_decode(still, ranking="b").entries] == [0, 0]
    new = EntryChange(player_id="d", version=9, value=25, achieved_at=at(9), name="Name d")
    store.entries_apply(ranking="b", order="desc", changes=[new], today=TODAY, client=redis_client)
    reply = connections.run(store._PAGE, READ_KEYS, [0, 3, TODAY], redis_client)
    assert reply == [
        4,
        1,  # something moved: five fields a row
        *(b"a", b"Name a", 30, 1, 0),  # id, name, score, rank, rank_change
        *(b"d", b"Name d", 25, 2, b""),  # '' for a player new since the snapshot
        *(b"b", b"Name b", 20, 3, -1),
        *(b"c", b"Name c", 20, 3, -1),
    ]
    assert store._page_decode(reply, ranking="b") == Page(
        total=4,
        entries=[
            Entry(1, "a", "Name a", 30, 0),
            Entry(2, "d", "Name d", 25, None),
            Entry(3, "b", "Name b", 20, -1),
            Entry(3, "c", "Name c", 20, -1),
        ],
    )
    past_the_end = connections.run(store._PAGE, READ_KEYS, [5, 9, TODAY], redis_client)
    assert past_the_end == [4, 1]
    assert store._page_decode(past_the_end, ranking="b") == Page(total=4, entries=[])
    unloaded = connections.run(
        store._PAGE,
        [*layout.ranking_keys("nope"), *layout.movement_keys("nope")],
        [0, 9, TODAY],
        redis_client,
    )
    with pytest.raises(store.BoardNotLoaded):
        store._page_decode(unloaded, ranking="nope")


def test_the_standing_script_sends_seven_fields_then_the_window(redis_client):
    load(redis_client, {"a": 30, "b": 20, "c": 10}, order="asc")
    connections.run(store._STANDING, READ_KEYS, ["b", 0, TODAY], redis_client)  # the day's snapshot
    faster = EntryChange(player_id="a", version=9, value=5, achieved_at=at(9), name="Name a")
    store.entries_apply(
        ranking="b", order="asc", changes=[faster], today=TODAY, client=redis_client
    )
    reply = connections.run(store._STANDING, READ_KEYS, ["b", 1, TODAY], redis_client)
    assert reply == [
        *(3, b"Name b", 20, 3, 0, -1, 1),  # total, name, score, rank, worse, change, moving
        *(b"a", b"Name a", 5, 1, 2),  # 3rd at the snapshot
        *(b"c", b"Name c", 10, 2, -1),
        *(b"b", b"Name b", 20, 3, -1),
    ]
    assert store._standing_decode(reply, ranking="b", player_id="b") == Standing(
        player_id="b",
        name="Name b",
        score=20,
        rank=3,
        rank_change=-1,
        total=3,
        worse=0,
        around=[
            Entry(1, "a", "Name a", 5, 2),
            Entry(2, "c", "Name c", 10, -1),
            Entry(3, "b", "Name b", 20, -1),
        ],
    )
    no_score = connections.run(store._STANDING, READ_KEYS, ["zed", 1, TODAY], redis_client)
    assert no_score == []
    assert store._standing_decode(no_score, ranking="b", player_id="zed") is None
    unloaded = connections.run(
        store._STANDING,
        [*layout.ranking_keys("nope"), *layout.movement_keys("nope")],
        ["b", 1, TODAY],
        redis_client,
    )
    with pytest.raises(store.BoardNotLoaded):
        store._standing_decode(unloaded, ranking="nope", player_id="b")


def test_the_apply_script_sends_the_size_then_three_fields_a_change(redis_client):
    load(redis_client, {"a": 30, "b": 20})
    newer = EntryChange(player_id="b", version=5, value=40, achieved_at=at(9), name="Name b")
    older = EntryChange(player_id="a", version=1, value=99, achieved_at=at(9), name="Name a")
    new = EntryChange(player_id="c", version=6, value=10, achieved_at=at(9), name="Name c")
    args: list = ["b", "1", TODAY]
    for change in (newer, older, new):
        args += [change.player_id, layout.record_bytes(change), -change.value]
    reply = connections.run(store._APPLY, APPLY_KEYS, args, redis_client)
    assert reply == [3, 1, 2, 1, 0, 2, 2, 1, 0, 3]  # a was 2nd once b had gone past it
    assert store._apply_decode(reply, ranking="b") == (
        3,
        [
            Applied(applied=True, previous_rank=2, rank=1),
            Applied(applied=False, previous_rank=2, rank=2),
            Applied(applied=True, previous_rank=None, rank=3),
        ],
    )
    unloaded = connections.run(
        store._APPLY,
        [*layout.ranking_keys("nope"), *layout.movement_keys("nope"), layout.lock_key("nope")],
        ["nope", "1", TODAY],
        redis_client,
    )
    with pytest.raises(store.BoardNotLoaded):
        store._apply_decode(unloaded, ranking="nope")


def test_the_repair_script_sends_how_many_entries_it_changed(redis_client):
    load(redis_client, {"a": 30, "b": 20})
    (a, _) = store.entries_read(
        ranking="b",
        players=[("a", layout.seq_bytes(at(0))), ("b", layout.seq_bytes(at(1)))],
        client=redis_client,
    )
    fixed = EntryChange(player_id="a", version=2, value=1, achieved_at=at(0), name="A")
    args = [
        0,
        "a",
        a.raw,
        layout.record_bytes(fixed),
        -1,
        b"",
        "b",
        b"not what it holds",
        b"",
        0,
        b"",
    ]
    reply = connections.run(
        store._REPAIR, [layout.zset_key("b"), layout.names_prefix("b")], args, redis_client
    )
    assert reply == 1
    assert store.entries_page(
        ranking="b", offset=0, limit=5, today=TODAY, client=redis_client
    ).entries == [
        Entry(1, "b", "Name b", 20, 0),
        Entry(2, "a", "A", 1, 0),  # a repair is not tracked as a move
    ]


def test_the_swap_and_drop_scripts_send_one(redis_client):
    load(redis_client, {"a": 1})
    builds.ranking_build(
        ranking="b",
        title="B",
        order="desc",
        operator="best",
        rows=[],
        tag="t2",
        client=redis_client,
    )
    built = layout.built_keys("b", "t2")
    keys = [*KEYS, *built[:3], built[3], layout.lock_key("b")]
    assert connections.run(builds._SWAP, keys, [layout.NAME_BUCKETS, "t2"], redis_client) == 1
    assert (
        store.entries_page(ranking="b", offset=0, limit=5, today=TODAY, client=redis_client).total
        == 0
    )
    assert connections.run(builds._DROP, KEYS, [layout.NAME_BUCKETS], redis_client) == 1
    assert not store.ranking_is_loaded(ranking="b", client=redis_client)


def _ids() -> list[str]:
    rng = random.Random(1)
    alphabet = "abcXYZ019-_.:é€😀ß漢"
    ids = ["", "a", "ab", "abc", "abcd", "abcde", "é", "€€€", "😀", "p0000001", "x" * 64]
    ids += ["".join(rng.choices(alphabet, k=rng.randint(1, 40))) for _ in range(2000)]
    return ids


def test_lua_and_python_put_every_player_id_in_the_same_names_bucket(redis_client):
    # Byte lengths of all remainders mod 4 (non-ASCII characters take 2 to 4 bytes).
    ids = _ids()
    assert {len(player_id.encode()) % 4 for player_id in ids} == {0, 1, 2, 3}
    script = scripts.source_of(
        """--#include names_key
local buckets = {}
for i, id in ipairs(ARGV) do buckets[i] = names_key('', id) end
return buckets
""",
        layout.LUA_CONSTANTS,
    )
    reply = connections.run(script, [], ids, redis_client)
    assert [int(bucket) for bucket in reply] == [layout.name_bucket(pid) for pid in ids]
