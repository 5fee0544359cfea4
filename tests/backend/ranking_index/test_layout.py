"""The key layout (ranking_index/layout.py): every key of a ranking shares its hash tag (one
cluster slot), and records and members encode so that byte order is the order they mean.
Pure: no Redis needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from backend_site.rankings.calendar import boards
from backend_site.rankings.ranking_index import layout
from backend_site.rankings.values import EntryChange

RANKING = boards.ranking_name("weekly", "2026-W48")
EPOCH = datetime(1970, 1, 1)  # seq counts microseconds from it


def test_a_ranking_of_a_period_is_named_after_its_board_and_period():
    assert (RANKING, boards.ranking_name("global")) == ("weekly/2026-W48", "global")


def test_every_key_of_a_ranking_shares_its_hash_tag():
    keys = [
        *layout.ranking_keys(RANKING),
        *layout.movement_keys(RANKING),
        layout.lock_key(RANKING),
        layout.names_key(RANKING, "p1"),
        *layout.built_keys(RANKING, "tag"),
    ]
    assert all("{weekly/2026-W48}" in key for key in keys)
    assert layout.BOARDS_KEY.count("{") == 0  # the list of rankings lives apart


@given(st.datetimes(EPOCH, timezones=st.just(UTC)), st.datetimes(EPOCH, timezones=st.just(UTC)))
def test_seq_bytes_order_as_the_times_they_encode(first, second):
    assert (layout.seq_bytes(first) < layout.seq_bytes(second)) == (first < second)


def test_desc_boards_store_scores_negated_so_every_ranking_reads_ascending():
    assert (layout.stored_score(5, "desc"), layout.stored_score(5, "asc")) == (-5, 5)


def test_a_record_is_version_then_seq_then_name_and_a_removal_just_a_version():
    at = datetime(2026, 11, 25, tzinfo=UTC)
    kept = EntryChange(player_id="p", version=3, value=1, achieved_at=at, name="Zoë")
    gone = EntryChange(player_id="p", version=4, value=None)
    hidden = EntryChange(player_id="p", version=5, value=1, achieved_at=at, hidden=True)
    record = layout.record_bytes(kept)
    assert record[: layout.VERSION_BYTES] == (3).to_bytes(8, "big")
    assert record[layout.VERSION_BYTES : layout.RECORD_HEAD] == layout.seq_bytes(at)
    assert record[layout.RECORD_HEAD :].decode() == "Zoë"
    assert layout.record_bytes(gone) == (4).to_bytes(8, "big")
    assert layout.record_bytes(hidden) == (5).to_bytes(8, "big")


@given(st.text(alphabet="abcXYZ019_.:-", min_size=1, max_size=64))
def test_names_buckets_stay_in_range(player_id):
    assert 0 <= layout.name_bucket(player_id) < layout.NAME_BUCKETS


def test_microseconds_apart_are_apart():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert layout.seq_bytes(at) < layout.seq_bytes(at + timedelta(microseconds=1))
