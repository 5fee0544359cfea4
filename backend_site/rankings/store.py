"""The one module that talks to Redis: key names, Lua scripts, and plain results.

Layout of one board (the ``{slug}`` hash tag keeps a board's keys in one cluster slot):

* ``lb:{slug}:meta`` hash — ``title``, ``order``, ``operator``, ``layout``. Present exactly
  when the board is loaded in the current LAYOUT; a missing meta (or an older layout) means
  the board must be rebuilt from the database.
* ``lb:{slug}:z`` sorted set — member ``seq + player_id``, score the player's value
  (negated on ``desc`` boards so every board reads in ascending order). ``seq`` is the
  8-byte big-endian microsecond time the value was reached, so among equal scores whoever
  got there first sorts first, and ``ZRANGE`` gives the final order with no re-sorting.
* ``lb:{slug}:h:<bucket>`` hashes — ``player_id`` → a record ``version + seq + name``, or
  just ``version`` for a removed entry (a tombstone). ``version`` is the database row's
  8-byte version: a write carrying an older version than the record is refused, so updates
  applied out of order never set an entry back. Players are spread over NAME_BUCKETS small
  hashes, which Redis keeps in its compact listpack encoding (up to 128 fields each).
* ``lb:{slug}:rebuilding`` — while a board is rebuilt aside, the build's tag. Writes made
  meanwhile also go to the build's journal (``lb:{slug}:build:<tag>:j`` records and ``:js``
  scores), which the swap replays onto the built board, so a rebuild never drops them.
* Rank movement since the ranking's daily snapshot (00:00 of the board's day), kept lazily:
  ``lb:{slug}:snapday`` string — the day id of the current snapshot (a key of its own, not in
  the meta, which a rebuild's swap replaces); ``lb:{slug}:sm`` hash — ``player_id`` → the
  stored score of each player changed since the snapshot, as it was then ('' for a player
  with no entry then); ``lb:{slug}:st`` sorted set — those changed players' members and
  scores at the snapshot; ``lb:{slug}:sn`` sorted set — their members and scores now (it
  mirrors the live sorted set for them). The first script to run on a later day (every write
  runs one, so the live board still is as it was at 00:00) empties the three and stores the
  day. A player's rank at the snapshot, for a stored score ``s`` then, is
  ``1 + ZCOUNT(z, < s) - ZCOUNT(sn, < s) + ZCOUNT(st, < s)``.
* ``lb:boards`` set — the slugs that are loaded (or being swapped in). It lives in a slot of
  its own, so no script touches it together with a board's keys: the swap adds the slug just
  before it runs, and restoring the boards after a loss lists them all again.

Every read is one Lua script: one round trip, O(log N + page size). On a Redis Cluster
(settings.REDIS_CLUSTER) every script and pipeline stays within one board's slot, so it goes
to one node; different boards hash to different slots and spread over the shards.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import islice

from django.conf import settings
from django.core.signals import setting_changed
from django_redis import get_redis_connection
from redis import Redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.exceptions import NoScriptError
from redis.retry import Retry

from common.entries import Entry

LAYOUT = "2"  # bump when the records change shape: boards of another layout are rebuilt
SEQ_BYTES = 8
VERSION_BYTES = 8
RECORD_HEAD = VERSION_BYTES + SEQ_BYTES
# 16,384 buckets keep a 2-million-player board under 128 fields per bucket; a larger board
# still works, its buckets just fall back to Redis's ordinary (bigger) hash encoding.
NAME_BUCKETS = 16_384
_BUCKET_MODULUS = 1_000_003  # h * 31 + 255 stays far below 2**53, exact in Lua's doubles
BOARDS_KEY = "lb:boards"
JOURNAL_SECONDS = 3600  # a crashed rebuild's journal goes away on its own
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class BoardNotLoaded(Exception):
    """The board's keys are missing from Redis (never loaded, flushed or restarted)."""


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    entries: list[Entry]
    period: object = None  # the period read (selectors fill it in); None on never boards


@dataclass(frozen=True, slots=True)
class Standing:
    player_id: str
    name: str
    score: int
    rank: int
    rank_change: int | None
    total: int
    worse: int
    around: list[Entry]
    period: object = None  # the period read (selectors fill it in); None on never boards


@dataclass(frozen=True, slots=True)
class LoadRow:
    player_id: str
    name: str
    value: int
    achieved_at: datetime
    version: int = 0


@dataclass(frozen=True, slots=True)
class EntryChange:
    """One entry's committed state: ``value`` None means the entry was removed; ``hidden``
    that it is off the ranking because a moderator hid the player (sanctions.py), which
    also takes them out of the rank movement snapshot, as if they had never been there."""

    player_id: str
    version: int
    value: int | None
    achieved_at: datetime | None = None
    name: str = ""
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying one change did: ``applied`` False means Redis already had it or newer."""

    applied: bool
    previous_rank: int | None
    rank: int | None


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as Redis holds it (``raw`` is the record, for a later compare-and-set)."""

    player_id: str
    raw: bytes | None
    in_zset: bool
    stored_score: int | None

    @property
    def present(self) -> bool:
        return self.raw is not None and len(self.raw) > VERSION_BYTES

    @property
    def seq(self) -> bytes:
        return self.raw[VERSION_BYTES:RECORD_HEAD] if self.present else b""

    @property
    def name(self) -> str:
        return self.raw[RECORD_HEAD:].decode() if self.present else ""


def ranking_name(slug: str, period_id: str = "") -> str:
    """The name a board's ranking in one period goes by in Redis (the board's slug alone on
    a board that never resets): the ``slug`` every function here takes."""
    return f"{slug}/{period_id}" if period_id else slug


def meta_key(slug: str) -> str:
    return f"lb:{{{slug}}}:meta"


def zset_key(slug: str) -> str:
    return f"lb:{{{slug}}}:z"


def names_prefix(slug: str) -> str:
    """The names hashes' common prefix; a bucket number completes a key."""
    return f"lb:{{{slug}}}:h:"


def lock_key(slug: str) -> str:
    return f"lb:{{{slug}}}:rebuilding"


def name_bucket(player_id: str) -> int:
    """Which names hash holds the player (the Lua function ``names_key`` agrees)."""
    h = 0
    for byte in player_id.encode():
        h = (h * 31 + byte) % _BUCKET_MODULUS
    return h % NAME_BUCKETS


def names_key(slug: str, player_id: str) -> str:
    return f"{names_prefix(slug)}{name_bucket(player_id)}"


def board_keys(slug: str) -> list[str]:
    """Meta, sorted set and the names prefix: what every board script is given as KEYS."""
    return [meta_key(slug), zset_key(slug), names_prefix(slug)]


def movement_keys(slug: str) -> list[str]:
    """The snapshot's day, its changed players' scores then (hash), their members then and
    now (sorted sets): KEYS[4] to KEYS[7] of the page, standing and apply scripts."""
    return [f"lb:{{{slug}}}:{part}" for part in ("snapday", "sm", "st", "sn")]


@lru_cache(maxsize=4096)
def read_keys(slug: str) -> tuple[str, ...]:
    """board_keys and movement_keys together: the KEYS of a page or a standing (cached: a
    read names them on every call)."""
    return (*board_keys(slug), *movement_keys(slug))


def seq_bytes(moment: datetime) -> bytes:
    """Encode when a score was reached so that byte order is time order."""
    micros = (moment - _EPOCH) // _MICROSECOND
    return micros.to_bytes(SEQ_BYTES, "big")


def version_bytes(version: int) -> bytes:
    return version.to_bytes(VERSION_BYTES, "big")


def stored_score(value: int, order: str) -> int:
    """Map a value to the sorted-set score: boards always read ascending."""
    return -value if order == "desc" else value


_thread = threading.local()
_cluster_client: RedisCluster | None = None
_cluster_building = threading.Lock()


def connection() -> Redis:
    """Return this process's Redis client: decided once, on first use, by REDIS_CLUSTER.

    This function then replaces itself with the one chosen (``node_connection`` or
    ``cluster_connection``), so a request pays no check for the choice.
    """
    return _connection_choose(cluster=settings.REDIS_CLUSTER)()


_undecided_connection = connection


def _connection_choose(*, cluster: bool | None) -> Callable[[], Redis]:
    """Make ``connection`` the cluster or the single-node one (None: undecided again)."""
    if cluster is None:
        chosen = _undecided_connection
    else:
        chosen = cluster_connection if cluster else node_connection
    globals()["connection"] = chosen
    return chosen


def _settings_changed(*, setting: str, **kwargs) -> None:
    # Tests change CACHES or REDIS_CLUSTER per test: choose (and build) again on next use.
    global _cluster_client
    if setting in ("CACHES", "REDIS_CLUSTER"):
        _connection_choose(cluster=None)
        if _cluster_client is not None:
            _cluster_client.close()
            _cluster_client = None


setting_changed.connect(_settings_changed)


def cluster_connection() -> RedisCluster:
    """Return the process's redis-py cluster client (thread-safe, with a pool per node),
    built from the cache's LOCATION and options as the single-node pool is."""
    client = _cluster_client
    if client is None:
        client = _cluster_build()
    return client


def _cluster_build() -> RedisCluster:
    global _cluster_client
    with _cluster_building:  # the first requests of a worker's threads may arrive together
        if _cluster_client is None:
            cache = settings.CACHES["default"]
            options = cache.get("OPTIONS", {})
            _cluster_client = RedisCluster.from_url(
                cache["LOCATION"],
                socket_connect_timeout=options.get("SOCKET_CONNECT_TIMEOUT"),
                socket_timeout=options.get("SOCKET_TIMEOUT"),
                # One retry: a command that meets a failed-over or moved slot asks for the
                # new layout once, then fails (503, or 202 for a saved write) rather than
                # keeping the caller waiting; game servers retry.
                retry=Retry(NoBackoff(), 1),
                **{
                    name: value
                    for name, value in options.get("CONNECTION_POOL_KWARGS", {}).items()
                    if name not in ("retry", "retry_on_error")  # the single node's, above
                },
            )
        return _cluster_client


def node_connection() -> Redis:
    """Return this thread's client on django-redis's shared, per-process connection pool.

    Each thread keeps one connection of the pool for itself (redis-py's
    ``single_connection_client``), so a command skips taking a connection from the pool and
    giving it back, which cost about a fifth of a read's time in Redis's client. The client
    follows the pool: a new pool (other settings) gets a new client.
    """
    pool = get_redis_connection("default").connection_pool
    client = getattr(_thread, "client", None)
    if client is None or client.connection_pool is not pool:
        if client is not None:
            client.close()
        client = _thread.client = Redis(connection_pool=pool, single_connection_client=True)
    return client


# names_key(prefix, player_id): the player's names hash, as name_bucket() computes it.
# Scripts reach the bucket keys through the names prefix they are given in KEYS; all share
# the board's {slug} hash tag, so they stay in one cluster slot.
# It folds four bytes per step (exact: h * 31**4 + ... stays below 2**53) and reaches
# string.byte through a local: a page of 100 rows spends a third less time in Redis than
# with one byte and one global lookup per step.
_NAMES_KEY = f"""
local byte = string.byte
local function names_key(prefix, id)
  local h, n, i = 0, #id, 1
  while i + 3 <= n do
    local a, b, c, d = byte(id, i, i + 3)
    h = ((((h * 31 + a) * 31 + b) * 31 + c) * 31 + d) % {_BUCKET_MODULUS}
    i = i + 4
  end
  while i <= n do
    h = (h * 31 + byte(id, i)) % {_BUCKET_MODULUS}
    i = i + 1
  end
  return prefix .. (h % {NAME_BUCKETS})
end
"""

# The board's order (and the sign its scores are stored with) when it is loaded in this
# layout; else the script returns false (KEYS[1] is the meta).
_LOADED_ORDER = f"""
local meta = redis.call('HMGET', KEYS[1], 'order', 'layout')
if meta[2] ~= '{LAYOUT}' then return false end
local order = meta[1]
local sign = order == 'desc' and -1 or 1  -- 'desc' boards store scores negated
"""

# Starts a new snapshot on the first run of a later day: KEYS[4] the snapshot's day, KEYS[5]
# to KEYS[7] its sm, st and sn (see the module docstring); ARGV[3] today's day id. Only a later
# day starts one (ISO dates compare as strings), so a process whose clock lags behind
# another's around midnight cannot wipe the new day's movement.
_SNAPSHOT_DAY = """
local day = redis.call('GET', KEYS[4])
if ARGV[3] ~= '' and (not day or day < ARGV[3]) then
  redis.call('UNLINK', KEYS[5], KEYS[6], KEYS[7])
  redis.call('SET', KEYS[4], ARGV[3])
end
"""

# moved(id, score, rank): the places a player of stored `score` (a string) and competition
# rank `rank` gained since the snapshot, or '' when they had no entry then. Unchanged players
# (absent from sm) had `score` then too, and rank - 1 players are better now; for the others
# the live set is counted at their score then. Nothing changed (st and sn empty): 0, no call.
_MOVED = (
    _SNAPSHOT_DAY
    + """
local moving = ARGV[3] ~= '' and redis.call('EXISTS', KEYS[6], KEYS[7]) > 0
local function moved(id, score, rank)
  if not moving then return 0 end
  local before = redis.call('HGET', KEYS[5], id)
  local below
  if before then
    if before == '' then return '' end
    below = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. before)
  else
    before, below = score, rank - 1
  end
  return below + 1 - rank - redis.call('ZCOUNT', KEYS[7], '-inf', '(' .. before)
    + redis.call('ZCOUNT', KEYS[6], '-inf', '(' .. before)
end
"""
)

# Appends {player_id, name, score, rank, rank_change} for each row of a ZRANGE WITHSCORES
# reply `rows` to `result` and returns it: names from the hashes under KEYS[3]; the score as
# the caller knows it (times `sign`); competition ranks (1, 1, 3 ...) from
# `position`, the 0-based position of the first row, and `better`, how many players have a
# strictly better score than it; rank_change from moved() ('' for a player new since the
# snapshot). Doing this here keeps the reply flat and ready to serve.
_APPEND_ROWS = f"""
local call, sub = redis.call, string.sub
local n = #result
local rank = better + 1
local previous = rows[2]
local width = moving and 5 or 4
for i = 1, #rows, 2 do
  local id, score = sub(rows[i], {SEQ_BYTES + 1}), rows[i + 1]
  local record = call('HGET', names_key(KEYS[3], id), id)
  if score ~= previous then
    rank = position + (i + 1) / 2
    previous = score
  end
  result[n + 1] = id
  result[n + 2] = record and sub(record, {RECORD_HEAD + 1}) or ''
  result[n + 3] = sign * tonumber(score)
  result[n + 4] = rank
  if moving then result[n + 5] = moved(id, score, rank) end
  n = n + width
end
return result
"""

# A page: KEYS meta, zset, names, then movement_keys(); ARGV start, stop, today.
# Returns false when the board is not loaded, else {total, moving, id1, name1, score1, rank1,
# rank_change1, ...}, without the rank changes when moving is 0 (nothing moved: all 0).
_PAGE = (
    _NAMES_KEY
    + _LOADED_ORDER
    + _MOVED
    + """
local result = {redis.call('ZCARD', KEYS[2]), moving and 1 or 0}
local rows = redis.call('ZRANGE', KEYS[2], ARGV[1], ARGV[2], 'WITHSCORES')
if #rows == 0 then return result end
local position = tonumber(ARGV[1])
local better = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. rows[2])
"""
    + _APPEND_ROWS
)


def _moved_decode(value: int | bytes) -> int | None:
    """A moved() value: places gained, or None for '' (new since the snapshot)."""
    return None if value == b"" else value


def _rows_decode(reply: list, start: int, *, moving: bool) -> list[Entry]:
    """The entries _APPEND_ROWS put in ``reply`` from index ``start``: five fields a row
    with their rank change, four (and a change of 0) when nothing moved since the snapshot."""
    rows = islice(reply, start, None)
    # One iterator read several at a time: no index arithmetic per row (a page is hot).
    if not moving:
        return [
            Entry(rank, player_id.decode(), name.decode(), score, 0)
            for player_id, name, score, rank in zip(rows, rows, rows, rows, strict=True)
        ]
    return [
        Entry(rank, player_id.decode(), name.decode(), score, None if moved == b"" else moved)
        for player_id, name, score, rank, moved in zip(rows, rows, rows, rows, rows, strict=True)
    ]


def _page_decode(reply: list | None, *, slug: str) -> Page:
    """_PAGE's reply as a Page; BoardNotLoaded for its false."""
    if not reply:
        raise BoardNotLoaded(slug)
    total, moving = reply[0], reply[1]
    return Page(total=total, entries=_rows_decode(reply, 2, moving=bool(moving)))


# A player's standing and the window around it: KEYS meta, zset, names, then movement_keys();
# ARGV player_id, around, today.
# Returns false when the board is not loaded, {} when the player has no score, else
# {total, name, score, rank, worse, rank_change, moving, id1, name1, score1, rank1,
# rank_change1, ...} (the rows without their rank changes when moving is 0, as in _PAGE).
_STANDING = (
    _NAMES_KEY
    + _LOADED_ORDER
    + _MOVED
    + f"""
local own = redis.call('HGET', names_key(KEYS[3], ARGV[1]), ARGV[1])
if not own or #own <= {VERSION_BYTES} then return {{}} end
local member = string.sub(own, {VERSION_BYTES + 1}, {RECORD_HEAD}) .. ARGV[1]
local index = redis.call('ZRANK', KEYS[2], member)
if not index then return {{}} end
local score = redis.call('ZSCORE', KEYS[2], member)
local total = redis.call('ZCARD', KEYS[2])
local around = tonumber(ARGV[2])
local position = math.max(0, index - around)
local stop = math.min(total - 1, position + 2 * around)
position = math.max(0, stop - 2 * around)
local own_rank = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. score) + 1
local result = {{total, string.sub(own, {RECORD_HEAD + 1}),
  sign * tonumber(score), own_rank,
  redis.call('ZCOUNT', KEYS[2], '(' .. score, '+inf'),
  moved(ARGV[1], score, own_rank), moving and 1 or 0}}
local rows = redis.call('ZRANGE', KEYS[2], string.format('%d', position),
  string.format('%d', stop), 'WITHSCORES')
local better = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. rows[2])
"""
    + _APPEND_ROWS
)


def _standing_decode(reply: list | None, *, slug: str, player_id: str) -> Standing | None:
    """_STANDING's reply as a Standing, None for its {}; BoardNotLoaded for its false."""
    if reply is None:  # false from the script
        raise BoardNotLoaded(slug)
    if not reply:
        return None
    total, name, score, rank, worse, moved, moving = reply[:7]
    return Standing(
        player_id=player_id,
        name=name.decode(),
        score=score,
        rank=rank,
        rank_change=_moved_decode(moved),
        total=total,
        worse=worse,
        around=_rows_decode(reply, 7, moving=bool(moving)),
    )


# version(record): a record's version as a number; put(z, names, id, old, record, score): make
# the entry exactly `record` (a tombstone when `score` is false) when it is newer than `old`,
# the record the caller read from the names hash `names`.
_PUT = (
    _NAMES_KEY
    + f"""
local function version(record)
  local a, b, c, d, e, f, g, h = string.byte(record, 1, 8)
  return ((((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f) * 256 + g) * 256 + h
end
local function rank_of(z, member)
  local score = redis.call('ZSCORE', z, member)
  if not score then return false end
  return redis.call('ZCOUNT', z, '-inf', '(' .. score) + 1
end
local function put(z, names, id, old, record, score)
  if old and version(old) >= version(record) then return false end
  if old and #old > {VERSION_BYTES} then
    redis.call('ZREM', z, string.sub(old, {VERSION_BYTES + 1}, {RECORD_HEAD}) .. id)
  end
  if score then
    redis.call('ZADD', z, score, string.sub(record, {VERSION_BYTES + 1}, {RECORD_HEAD}) .. id)
  end
  redis.call('HSET', names, id, record)
  return true
end
"""
)

# Apply committed changes to one board: KEYS meta, zset, names prefix, then movement_keys(),
# then the rebuild lock; ARGV slug, '1' to find previous ranks (else '0'), today's day id,
# then per change: player_id, record, stored score ('' for a removal, 'h' for a hidden player).
# Returns false when the board is not loaded, else {total, applied1, previous1, rank1, ...}
# (previous and rank 0 when the player had or has no entry). A change that applies records
# the player's entry at the snapshot on their first change since it (sm, st) and keeps their
# entry now in sn; a hidden player's leaves the snapshot altogether (others' rank changes
# then count as if they had never been on the board).
_APPLY = (
    _PUT
    + f"""
local meta = redis.call('HGET', KEYS[1], 'layout')
if meta ~= '{LAYOUT}' then return false end
"""
    + _SNAPSHOT_DAY
    + f"""
local tag = redis.call('GET', KEYS[8])
local journal = tag and ('lb:{{' .. ARGV[1] .. '}}:build:' .. tag .. ':j')
local result = {{0}}
local want_previous = ARGV[2] == '1'
for i = 4, #ARGV, 3 do
  local id, record = ARGV[i], ARGV[i + 1]
  local hide = ARGV[i + 2] == 'h'
  local score = ARGV[i + 2] ~= '' and not hide and ARGV[i + 2]
  local names = names_key(KEYS[3], id)
  local old = redis.call('HGET', names, id)
  local member = old and #old > {VERSION_BYTES} and
    string.sub(old, {VERSION_BYTES + 1}, {RECORD_HEAD}) .. id
  local newer = not old or version(old) < version(record)
  local stored = member and (want_previous or newer) and redis.call('ZSCORE', KEYS[2], member)
  local previous = 0
  if want_previous and stored then
    previous = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. stored) + 1
  end
  if newer and hide then
    local before = redis.call('HGET', KEYS[5], id)
    if before then
      redis.call('HDEL', KEYS[5], id)
      if before ~= '' then
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], before, before)) do
          if string.sub(m, {SEQ_BYTES + 1}) == id then redis.call('ZREM', KEYS[6], m) end
        end
      end
    end
  elseif newer and redis.call('HSETNX', KEYS[5], id, stored or '') == 1 and stored then
    redis.call('ZADD', KEYS[6], stored, member)
  end
  local done = put(KEYS[2], names, id, old, record, score)
  if done then
    if member then redis.call('ZREM', KEYS[7], member) end
    if score then
      local seq = string.sub(record, {VERSION_BYTES + 1}, {RECORD_HEAD})
      redis.call('ZADD', KEYS[7], score, seq .. id)
    end
  end
  if journal then
    local seen = redis.call('HGET', journal, id)
    if not seen or version(seen) < version(record) then
      redis.call('HSET', journal, id, record)
      redis.call('HSET', journal .. 's', id, score or '')
    end
  end
  result[#result + 1] = done and 1 or 0
  result[#result + 1] = previous
  result[#result + 1] = 0
end
for i = 4, #ARGV, 3 do
  local id = ARGV[i]
  local now = redis.call('HGET', names_key(KEYS[3], id), id)
  if now and #now > {VERSION_BYTES} then
    -- change k (0-based) has ARGV index 4 + 3k, and its rank sits at 1 + 3k + 3: the same
    result[i] = rank_of(KEYS[2], string.sub(now, {VERSION_BYTES + 1}, {RECORD_HEAD}) .. id) or 0
  end
end
result[1] = redis.call('ZCARD', KEYS[2])
return result
"""
)


def _apply_decode(reply: list | None, *, slug: str) -> tuple[int, list[Applied]]:
    """_APPLY's reply as the board's size and an Applied per change; BoardNotLoaded for
    its false."""
    if not reply:
        raise BoardNotLoaded(slug)
    total = reply[0]
    outcomes = islice(reply, 1, None)
    return total, [
        Applied(applied=bool(applied), previous_rank=previous or None, rank=rank or None)
        for applied, previous, rank in zip(outcomes, outcomes, outcomes, strict=True)
    ]


# Repair entries whose record is still what a check read: KEYS zset, names prefix;
# ARGV per fix: player_id, expected record ('' for none), new record ('' to drop the entry),
# new stored score, stray member to remove ('' for none). Returns how many were changed.
_REPAIR = (
    _NAMES_KEY
    + f"""
local changed = 0
for i = 1, #ARGV, 5 do
  local id, expected, record = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local names = names_key(KEYS[2], id)
  local old = redis.call('HGET', names, id) or ''
  if old == expected then
    if #old > {VERSION_BYTES} then
      redis.call('ZREM', KEYS[1], string.sub(old, {VERSION_BYTES + 1}, {RECORD_HEAD}) .. id)
    end
    if ARGV[i + 4] ~= '' then redis.call('ZREM', KEYS[1], ARGV[i + 4]) end
    if record == '' then
      redis.call('HDEL', names, id)
    else
      redis.call('ZADD', KEYS[1], ARGV[i + 3],
        string.sub(record, {VERSION_BYTES + 1}, {RECORD_HEAD}) .. id)
      redis.call('HSET', names, id, record)
    end
    changed = changed + 1
  end
end
return changed
"""
)

# Put a board built aside in place of the live one, in one step readers cannot see into,
# after replaying the writes journaled while it was built:
# KEYS meta, zset, names prefix, built meta, built zset, built names prefix, journal,
# rebuild lock (all in the board's slot); ARGV bucket count, build tag.
_SWAP = (
    _PUT
    + """
local journal = redis.call('HGETALL', KEYS[7])
for i = 1, #journal, 2 do
  local score = redis.call('HGET', KEYS[7] .. 's', journal[i])
  local names = names_key(KEYS[6], journal[i])
  local old = redis.call('HGET', names, journal[i])
  put(KEYS[5], names, journal[i], old, journal[i + 1], score ~= '' and score)
end
redis.call('UNLINK', KEYS[7], KEYS[7] .. 's')
if redis.call('GET', KEYS[8]) == ARGV[2] then redis.call('DEL', KEYS[8]) end
local function swap(live, built)
  redis.call('UNLINK', live)
  if redis.call('EXISTS', built) == 1 then redis.call('RENAME', built, live) end
end
swap(KEYS[1], KEYS[4])
swap(KEYS[2], KEYS[5])
for bucket = 0, tonumber(ARGV[1]) - 1 do swap(KEYS[3] .. bucket, KEYS[6] .. bucket) end
return 1
"""
)

# Delete a board's keys (live or built aside): KEYS meta, zset, names prefix, then any other
# keys of the board (its movement_keys()); ARGV buckets.
_DROP = """
redis.call('UNLINK', KEYS[1], KEYS[2], unpack(KEYS, 4))
for bucket = 0, tonumber(ARGV[1]) - 1 do redis.call('UNLINK', KEYS[3] .. bucket) end
return 1
"""

_scripts: dict[str, Script] = {}


def _script(source: str) -> Script:
    # Script objects only hold the source and its SHA; the client is passed per call.
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = Script(None, source.encode())
    return script


def _run(source: str, keys: list[str], args: list, client: Redis | None):
    return _script(source)(keys=keys, args=args, client=client or connection())


def entries_page(
    *, slug: str, offset: int, limit: int, today: str, client: Redis | None = None
) -> Page:
    """Return ``limit`` entries from position ``offset`` (0-based) and the board's size, each
    with its rank change since the snapshot of ``today`` (the board's day id; "" spares
    Redis the movement, for a caller that does not show it: every rank change is then 0)."""
    keys = read_keys(slug)
    reply = _run(_PAGE, keys, [offset, offset + limit - 1, today], client)
    return _page_decode(reply, slug=slug)


def entry_standing(
    *, slug: str, player_id: str, around: int, today: str, client: Redis | None = None
) -> Standing | None:
    """Return the player's rank, rank change and neighbours, or None when they have no score
    here (rank changes count from the snapshot of ``today``, the board's day id)."""
    keys = read_keys(slug)
    reply = _run(_STANDING, keys, [player_id, around, today], client)
    return _standing_decode(reply, slug=slug, player_id=player_id)


def record_bytes(change: EntryChange) -> bytes:
    """The names-hash record of a change: version, then (unless removed) seq and name."""
    if change.value is None or change.hidden:
        return version_bytes(change.version)
    return version_bytes(change.version) + seq_bytes(change.achieved_at) + change.name.encode()


def _apply_call(
    name: str, order: str, changes: Sequence[EntryChange], today: str, previous_ranks: bool
) -> tuple[list[str], list]:
    """_APPLY's KEYS and ARGV for applying ``changes`` to the ranking ``name``."""
    args: list = [name, "1" if previous_ranks else "0", today]
    for change in changes:
        if change.hidden:
            score = "h"
        else:
            score = "" if change.value is None else stored_score(change.value, order)
        args += [change.player_id, record_bytes(change), score]
    return [*board_keys(name), *movement_keys(name), lock_key(name)], args


def entries_apply(
    *,
    slug: str,
    order: str,
    changes: Sequence[EntryChange],
    today: str,
    previous_ranks: bool = True,
    client: Redis | None = None,
) -> tuple[int, list[Applied]]:
    """Apply committed changes, refusing any older than what Redis holds; one round trip.

    Returns the board's size and, per change, whether it applied, the player's rank before
    it and their rank after all of them (None where they had or have no entry). ``today``
    (the board's day id) dates the snapshot rank changes count from.
    """
    keys, args = _apply_call(slug, order, changes, today, previous_ranks)
    reply = _run(_APPLY, keys, args, client)
    return _apply_decode(reply, slug=slug)


ApplyBatch = tuple[str, str, Sequence[EntryChange], str]  # name, order, changes, today


def entries_apply_many(
    *, batches: Sequence[ApplyBatch], previous_ranks: bool, client: Redis | None = None
) -> list[tuple[int, list[Applied]] | BoardNotLoaded]:
    """Apply each batch ``(name, order, changes, today)`` as entries_apply does, all in one
    round trip; per batch, its result or a BoardNotLoaded.

    The scripts go in one pipeline of EVALSHA calls (redis-py's own script support would
    first ask SCRIPT EXISTS, a second trip); a server that lacks the script (restarted,
    flushed, failed over) gets it loaded and only those calls sent again. On a cluster each
    ranking is in a slot of its own, and redis-py's cluster pipeline refuses scripts: one
    script call per ranking there, each through the cluster client's redirections.
    """
    client = client or connection()
    script = _script(_APPLY)
    calls = [_apply_call(*batch, previous_ranks) for batch in batches]
    if isinstance(client, RedisCluster):
        return [
            _apply_or_not_loaded(_run(_APPLY, keys, args, client), name)
            for (name, *_), (keys, args) in zip(batches, calls, strict=True)
        ]
    replies = _evalsha_all(client, script.sha, calls)
    missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
    if missing:
        client.script_load(script.script)
        again = _evalsha_all(client, script.sha, [calls[i] for i in missing])
        for i, reply in zip(missing, again, strict=True):
            replies[i] = reply
    results: list[tuple[int, list[Applied]] | BoardNotLoaded] = []
    for (name, *_), reply in zip(batches, replies, strict=True):
        if isinstance(reply, Exception):
            raise reply
        results.append(_apply_or_not_loaded(reply, name))
    return results


def _apply_or_not_loaded(reply, name: str) -> tuple[int, list[Applied]] | BoardNotLoaded:
    return _apply_decode(reply, slug=name) if reply else BoardNotLoaded(name)


def _evalsha_all(client: Redis, sha: str, calls: list[tuple[list[str], list]]) -> list:
    """Send one EVALSHA per call in one pipeline; replies and errors, in order."""
    if not calls:
        return []
    pipe = client.pipeline(transaction=False)
    for keys, args in calls:
        pipe.evalsha(sha, len(keys), *keys, *args)
    return pipe.execute(raise_on_error=False)


def entries_read(
    *, slug: str, players: Sequence[tuple[str, bytes]], client: Redis | None = None
) -> list[StoredEntry]:
    """Read each player's record and the score of the member ``seq + player_id``; one trip."""
    pipe = (client or connection()).pipeline(transaction=False)
    zset = zset_key(slug)
    for player_id, seq in players:
        pipe.hget(names_key(slug, player_id), player_id)
        pipe.zscore(zset, seq + player_id.encode())
    reply = pipe.execute()
    stored = []
    for i, (player_id, _) in enumerate(players):
        raw, score = reply[2 * i], reply[2 * i + 1]
        stored.append(
            StoredEntry(
                player_id=player_id,
                raw=raw,
                in_zset=score is not None,
                stored_score=None if score is None else int(score),
            )
        )
    return stored


@dataclass(frozen=True, slots=True)
class Fix:
    """Make the entry ``change`` (or drop it), only if its record is still ``expected``."""

    player_id: str
    expected: bytes | None
    change: EntryChange | None
    stray_member: bytes = b""


def entries_repair(
    *, slug: str, order: str, fixes: Sequence[Fix], client: Redis | None = None
) -> int:
    """Apply fixes that still hold (compare-and-set per entry); return how many did."""
    args: list = []
    for fix in fixes:
        change = fix.change
        score = "" if change is None else stored_score(change.value, order)
        record = b"" if change is None else record_bytes(change)
        args += [fix.player_id, fix.expected or b"", record, score, fix.stray_member]
    if not args:
        return 0
    return _run(_REPAIR, [zset_key(slug), names_prefix(slug)], args, client)


def zset_members(
    *, slug: str, start: int, stop: int, client: Redis | None = None
) -> list[tuple[bytes, int]]:
    """Members and stored scores by position, for a check that walks the whole board."""
    rows = (client or connection()).zrange(zset_key(slug), start, stop, withscores=True)
    return [(member, int(score)) for member, score in rows]


def board_size(*, slug: str, client: Redis | None = None) -> int:
    return (client or connection()).zcard(zset_key(slug))


def boards_register(*, slugs: Iterable[str], client: Redis | None = None) -> None:
    """List boards as loaded (restoring the list after Redis lost it, but not the boards)."""
    slugs = list(slugs)
    if slugs:
        (client or connection()).sadd(BOARDS_KEY, *slugs)


def _built_keys(slug: str, tag: str) -> list[str]:
    return [f"lb:{{{slug}}}:build:{tag}:{part}" for part in ("meta", "z", "h:", "j")]


def board_build(
    *,
    slug: str,
    title: str,
    order: str,
    operator: str,
    rows: Iterable[LoadRow],
    tag: str,
    chunk: int = 10_000,  # a ZADD of this many into 1M: under 0.1 s, well in REDIS_TIMEOUT
    progress=None,
    client: Redis | None = None,
) -> int:
    """Build the board aside from ``rows`` (swap it in with board_swap); return its size.

    Call it holding the board's rebuild lock with ``tag`` as its token: writes applied
    meanwhile are journaled under that tag and replayed onto the built board by the swap.
    If anything fails, the half-built keys are removed and the live board is untouched.
    """
    client = client or connection()
    built = _built_keys(slug, tag)
    meta = {"title": title, "order": order, "operator": operator, "layout": LAYOUT}
    count = 0
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hset(built[0], mapping=meta)
        scores: dict[bytes, int] = {}
        names: dict[int, dict[str, bytes]] = defaultdict(dict)
        for row in rows:
            seq = seq_bytes(row.achieved_at)
            scores[seq + row.player_id.encode()] = stored_score(row.value, order)
            names[name_bucket(row.player_id)][row.player_id] = (
                version_bytes(row.version) + seq + row.name.encode()
            )
            if len(scores) >= chunk:
                count += _flush(pipe, built, scores, names, progress)
        count += _flush(pipe, built, scores, names, progress)
    except BaseException:
        board_build_drop(slug=slug, tag=tag, client=client)
        raise
    return count


def board_swap(*, slug: str, tag: str, client: Redis | None = None) -> None:
    """Replay the build's journal onto it and put it in place of the live board, atomically;
    readers see the old board until then and the whole new one after. Releases the lock."""
    client = client or connection()
    built = _built_keys(slug, tag)
    try:
        # Listed first, in a command of its own (the list is in another slot): a swap that
        # then fails leaves a listed board without keys, which reads as lost and is rebuilt.
        client.sadd(BOARDS_KEY, slug)
        _run(
            _SWAP,
            [*board_keys(slug), *built[:3], built[3], lock_key(slug)],
            [NAME_BUCKETS, tag],
            client,
        )
    except BaseException:
        board_build_drop(slug=slug, tag=tag, client=client)
        raise


def board_build_drop(*, slug: str, tag: str, client: Redis | None = None) -> None:
    """Remove a build that will not be swapped in, and its journal."""
    client = client or connection()
    built = _built_keys(slug, tag)
    _run(_DROP, built[:3], [NAME_BUCKETS], client)
    client.unlink(built[3], f"{built[3]}s")


def board_load(*, slug: str, tag: str, client: Redis | None = None, **build) -> int:
    """Build the board aside and swap it in (see board_build); return its size."""
    size = board_build(slug=slug, tag=tag, client=client, **build)
    board_swap(slug=slug, tag=tag, client=client)
    return size


def _flush(pipe, built: list[str], scores: dict, names: dict, progress) -> int:
    size = len(scores)
    if size:
        pipe.zadd(built[1], scores)
        for bucket, fields in names.items():
            pipe.hset(f"{built[2]}{bucket}", mapping=fields)
    pipe.execute()
    if progress is not None and size:
        progress(size)
    scores.clear()
    names.clear()
    return size


def board_forget(*, slug: str, client: Redis | None = None) -> None:
    """Remove a board's keys (the board was deleted from the database or renamed)."""
    client = client or connection()
    _run(_DROP, [*board_keys(slug), *movement_keys(slug)], [NAME_BUCKETS], client)
    client.srem(BOARDS_KEY, slug)


def journal_keep(*, slug: str, tag: str, client: Redis | None = None) -> None:
    """Keep a running build's journal JOURNAL_SECONDS longer (the rebuild renews its lock)."""
    journal = _built_keys(slug, tag)[3]
    pipe = (client or connection()).pipeline(transaction=False)
    pipe.expire(journal, JOURNAL_SECONDS)
    pipe.expire(f"{journal}s", JOURNAL_SECONDS)
    pipe.execute()


def board_mark_stale(*, slug: str, client: Redis | None = None) -> None:
    """Make the board read as not loaded, so the next request rebuilds it from the database
    (readers keep its old keys until that rebuild's swap)."""
    (client or connection()).hdel(meta_key(slug), "layout")


def boards_listed(*, client: Redis | None = None) -> bool:
    """True while Redis holds the list of loaded boards (it goes with a restart or flush)."""
    return bool((client or connection()).exists(BOARDS_KEY))


def board_is_loaded(*, slug: str, client: Redis | None = None) -> bool:
    return (client or connection()).hget(meta_key(slug), "layout") == LAYOUT.encode()


def ping(*, client: Redis | None = None) -> bool:
    return bool((client or connection()).ping())


# Keep a ranking only ``seconds`` more: KEYS meta, zset, names prefix, then its movement
# keys; ARGV buckets, seconds. The meta goes first (a minute before the rest), so a ranking
# never reads as loaded with its entries gone: the next read after that loads it again.
_EXPIRE = """
local seconds = tonumber(ARGV[2])
redis.call('EXPIRE', KEYS[1], seconds)
redis.call('EXPIRE', KEYS[2], seconds + 60)
for bucket = 0, tonumber(ARGV[1]) - 1 do redis.call('EXPIRE', KEYS[3] .. bucket, seconds + 60) end
for i = 4, #KEYS do redis.call('EXPIRE', KEYS[i], seconds + 60) end
return 1
"""


def ranking_expire(*, slug: str, seconds: int, client: Redis | None = None) -> None:
    """Let a ranking (a closed period's) go from Redis after ``seconds``; the database keeps
    it, and a read loads it back."""
    client = client or connection()
    _run(_EXPIRE, [*board_keys(slug), *movement_keys(slug)], [NAME_BUCKETS, seconds], client)
    client.srem(BOARDS_KEY, slug)


def boards_listed_names(*, client: Redis | None = None) -> list[str]:
    """The names of the rankings listed as loaded."""
    return [name.decode() for name in (client or connection()).smembers(BOARDS_KEY)]


def rankings_sizes(*, slugs: Sequence[str], client: Redis | None = None) -> list[int | None]:
    """Each ranking's number of players, None for one not loaded; one round trip (on a
    cluster, one per node that holds any)."""
    if not slugs:
        return []
    pipe = (client or connection()).pipeline(transaction=False)
    for slug in slugs:
        pipe.hget(meta_key(slug), "layout")
        pipe.zcard(zset_key(slug))
    reply = iter(pipe.execute())
    return [
        size if layout == LAYOUT.encode() else None
        for layout, size in zip(reply, reply, strict=True)
    ]


# Set a ranking's snapshot from what the database says the changed players had at 00:00 (a
# ranking loaded during the day has no movement of its own): KEYS meta, zset, names prefix,
# then movement_keys(); ARGV today, '1' to start the snapshot anew (the first call), then per
# player changed since 00:00: id, their stored score then ('' for no entry then), their member
# then ('' likewise). Their members now come from the live ranking.
_SNAPSHOT_SEED = (
    _NAMES_KEY
    + f"""
if ARGV[2] == '1' then
  redis.call('UNLINK', KEYS[5], KEYS[6], KEYS[7])
  redis.call('SET', KEYS[4], ARGV[1])
end
for i = 3, #ARGV, 3 do
  local id, score, member = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  redis.call('HSET', KEYS[5], id, score)
  if member ~= '' then redis.call('ZADD', KEYS[6], score, member) end
  local record = redis.call('HGET', names_key(KEYS[3], id), id)
  if record and #record > {VERSION_BYTES} then
    local now = string.sub(record, {VERSION_BYTES + 1}, {RECORD_HEAD}) .. id
    local live = redis.call('ZSCORE', KEYS[2], now)
    if live then redis.call('ZADD', KEYS[7], live, now) end
  end
end
return 1
"""
)


@dataclass(frozen=True, slots=True)
class Before:
    """A player changed since the snapshot, as they were at it (value None: no entry)."""

    player_id: str
    value: int | None
    achieved_at: datetime | None


def snapshot_seed(
    *,
    slug: str,
    order: str,
    today: str,
    before: Sequence[Before],
    chunk: int = 5_000,
    client: Redis | None = None,
) -> None:
    """Make the ranking's snapshot of ``today`` the one ``before`` describes (every player
    changed since 00:00, as they were then); the others are as they are now."""
    client = client or connection()
    keys = [*board_keys(slug), *movement_keys(slug)]
    start = 0
    while True:
        args: list = [today, "1" if start == 0 else "0"]
        for entry in before[start : start + chunk]:
            if entry.value is None:
                args += [entry.player_id, "", ""]
            else:
                member = seq_bytes(entry.achieved_at) + entry.player_id.encode()
                args += [entry.player_id, stored_score(entry.value, order), member]
        _run(_SNAPSHOT_SEED, keys, args, client)
        start += chunk
        if start >= len(before):
            return
