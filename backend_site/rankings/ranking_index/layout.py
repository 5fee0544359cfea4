"""The key layout of the rankings in Redis, and how values are encoded in it.

Layout of one board (the ``{ranking}`` hash tag keeps a board's keys in one cluster slot):

* ``lb:{ranking}:meta`` hash — ``title``, ``order``, ``operator``, ``layout``, ``subscores``
  (the number of tie-break columns, subscores.py; absent for none). Present exactly
  when the board is loaded in the current LAYOUT; a missing meta (or an older layout) means
  the board must be rebuilt from the database.
* ``lb:{ranking}:z`` sorted set — member ``tie + player_id``, score the player's value
  (negated on ``desc`` boards so every board reads in ascending order). ``tie`` is the key
  of the entry's subscores, 8 bytes per column (none on most boards: ``tie_key``), then
  ``seq``, the 8-byte big-endian microsecond time the value was reached. Redis orders equal
  scores by member bytes, so they sort by subscores, then whoever got there first, and
  ``ZRANGE`` gives the final order with no re-sorting. Two entries tie (share a rank) when
  their scores and keys are equal; the scripts find the ends of an entry's tuple among
  equal scores by galloping from its index (lua/lib/ties.lua).
* ``lb:{ranking}:h:<bucket>`` hashes — ``player_id`` → a record ``version + tie + name``, or
  just ``version`` for a removed entry (a tombstone). ``version`` is the database row's
  8-byte version: a write carrying an older version than the record is refused, so updates
  applied out of order never set an entry back. Players are spread over NAME_BUCKETS small
  hashes, which Redis keeps in its compact listpack encoding (up to 128 fields each).
* ``lb:{ranking}:rebuilding`` — while a board is rebuilt aside, the build's tag. Writes made
  meanwhile also go to the build's journal (``lb:{ranking}:build:<tag>:j`` records and ``:js``
  scores), which the swap replays onto the built board, so a rebuild never drops them.
* Rank movement since the ranking's daily snapshot (00:00 of the board's day), kept lazily:
  ``lb:{ranking}:snapday`` string — the day id of the current snapshot (a key of its own, not in
  the meta, which a rebuild's swap replaces); ``lb:{ranking}:sm`` hash — ``player_id`` → the
  tie key and stored score of each player changed since the snapshot, as then ('' for a player
  with no entry then); ``lb:{ranking}:st`` sorted set — those changed players' members and
  scores at the snapshot; ``lb:{ranking}:sn`` sorted set — their members and scores now (it
  mirrors the live sorted set for them). The first script to run on a later day (every write
  runs one, so the live board still is as it was at 00:00) empties the three and stores the
  day. A player's rank at the snapshot, for a stored score ``s`` then, is
  ``1 + ZCOUNT(z, < s) - ZCOUNT(sn, < s) + ZCOUNT(st, < s)``.
* ``lb:boards`` set — the slugs that are loaded (or being swapped in). It lives in a slot of
  its own, so no script touches it together with a board's keys: the swap adds the slug just
  before it runs, and restoring the boards after a loss lists them all again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from backend_site.rankings.values import EntryChange

LAYOUT = "2"  # bump when the records change shape: boards of another layout are rebuilt


SEQ_BYTES = 8


VERSION_BYTES = 8


RECORD_HEAD = VERSION_BYTES + SEQ_BYTES


# In a record, what separates the name from the entry's metadata (see entry_record).
METADATA_MARK = b"\x00"


# 16,384 buckets keep a 2-million-player board under 128 fields per bucket; a larger board
# still works, its buckets just fall back to Redis's ordinary (bigger) hash encoding.
NAME_BUCKETS = 16_384


_BUCKET_MODULUS = 1_000_003  # h * 31 + 255 stays far below 2**53, exact in Lua's doubles


BOARDS_KEY = "lb:boards"


JOURNAL_SECONDS = 3600  # a crashed rebuild's journal goes away on its own


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_MICROSECOND = timedelta(microseconds=1)


# What every script is given as Lua locals (scripts.py): the layout above. SUB_BYTES,
# TIE_BYTES and RECORD_HEAD are a board without subscores'; a script sets them from the
# board's meta (lua/lib/ties.lua) before it splits a member or a record.
LUA_CONSTANTS = {
    "LAYOUT": LAYOUT,
    "SEQ_BYTES": SEQ_BYTES,
    "VERSION_BYTES": VERSION_BYTES,
    "SUB_BYTES": 0,
    "TIE_BYTES": SEQ_BYTES,
    "RECORD_HEAD": RECORD_HEAD,
    "NAME_BUCKETS": NAME_BUCKETS,
    "BUCKET_MODULUS": _BUCKET_MODULUS,
}


def meta_key(ranking: str) -> str:
    return f"lb:{{{ranking}}}:meta"


def zset_key(ranking: str) -> str:
    return f"lb:{{{ranking}}}:z"


def names_prefix(ranking: str) -> str:
    """The names hashes' common prefix; a bucket number completes a key."""
    return f"lb:{{{ranking}}}:h:"


def lock_key(ranking: str) -> str:
    return f"lb:{{{ranking}}}:rebuilding"


def name_bucket(player_id: str) -> int:
    """Which names hash holds the player (the Lua function ``names_key`` agrees)."""
    h = 0
    for byte in player_id.encode():
        h = (h * 31 + byte) % _BUCKET_MODULUS
    return h % NAME_BUCKETS


def names_key(ranking: str, player_id: str) -> str:
    return f"{names_prefix(ranking)}{name_bucket(player_id)}"


def ranking_keys(ranking: str) -> list[str]:
    """Meta, sorted set and the names prefix: what every board script is given as KEYS."""
    return [meta_key(ranking), zset_key(ranking), names_prefix(ranking)]


def movement_keys(ranking: str) -> list[str]:
    """The snapshot's day, its changed players' scores then (hash), their members then and
    now (sorted sets): KEYS[4] to KEYS[7] of the page, standing and apply scripts."""
    return [f"lb:{{{ranking}}}:{part}" for part in ("snapday", "sm", "st", "sn")]


@lru_cache(maxsize=4096)
def read_keys(ranking: str) -> tuple[str, ...]:
    """ranking_keys and movement_keys together: the KEYS of a page or a standing (cached: a
    read names them on every call)."""
    return (*ranking_keys(ranking), *movement_keys(ranking))


def seq_bytes(moment: datetime) -> bytes:
    """Encode when a score was reached so that byte order is time order."""
    micros = (moment - _EPOCH) // _MICROSECOND
    return micros.to_bytes(SEQ_BYTES, "big")


def version_bytes(version: int) -> bytes:
    return version.to_bytes(VERSION_BYTES, "big")


TIE_COLUMN_BYTES = 8
_TIE_OFFSET = 2**63  # offset binary: byte order is number order, negatives included


def tie_key(ties: tuple[int, ...]) -> bytes:
    """The bytes of an entry's ties (subscores.py: lower is better), one 8-byte column
    each, ordered as the numbers are; b"" on a board without subscores."""
    return b"".join((tie + _TIE_OFFSET).to_bytes(TIE_COLUMN_BYTES, "big") for tie in ties)


def ties_decode(key: bytes) -> tuple[int, ...]:
    """tie_key's bytes back as ties."""
    return tuple(
        int.from_bytes(key[i : i + TIE_COLUMN_BYTES], "big") - _TIE_OFFSET
        for i in range(0, len(key), TIE_COLUMN_BYTES)
    )


def record_head(columns: int) -> int:
    """Where a record's name starts on a board with ``columns`` subscores."""
    return RECORD_HEAD + TIE_COLUMN_BYTES * columns


def stored_score(value: int, order: str) -> int:
    """Map a value to the sorted-set score: boards always read ascending."""
    return -value if order == "desc" else value


def entry_tie(ties: tuple[int, ...], achieved_at: datetime) -> bytes:
    """What orders an entry among equal scores: its tie key, then when it was reached."""
    return tie_key(ties) + seq_bytes(achieved_at)


def record_bytes(change: EntryChange) -> bytes:
    """The names-hash record of a change: version, then (unless removed) tie and name."""
    if change.value is None or change.hidden:
        return version_bytes(change.version)
    tie = entry_tie(change.ties, change.achieved_at)
    return entry_record(change.version, tie, change.name, change.metadata)


def entry_record(version: int, tie: bytes, name: str, metadata: str | None) -> bytes:
    """An entry's record: version, tie, the name, and the metadata after a NUL when it has
    some (neither a name nor compact JSON holds a NUL). An entry without metadata costs
    nothing more."""
    record = version_bytes(version) + tie + name.encode()
    return record + METADATA_MARK + metadata.encode() if metadata else record


def record_name_and_metadata(rest: bytes) -> tuple[str, str | None]:
    """A record's tail (after RECORD_HEAD) as its name and metadata (None when it has none)."""
    name, mark, metadata = rest.partition(METADATA_MARK)
    return name.decode(), (metadata.decode() if mark else None)


def built_keys(ranking: str, tag: str) -> list[str]:
    return [f"lb:{{{ranking}}}:build:{tag}:{part}" for part in ("meta", "z", "h:", "j")]
