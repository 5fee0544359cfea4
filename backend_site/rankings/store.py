"""The one module that talks to Redis: key names, Lua scripts, and plain results.

Layout of one board (the ``{slug}`` hash tag keeps a board's keys in one cluster slot):

* ``lb:{slug}:meta`` hash — ``title``, ``order``, ``operator``. Present exactly when the
  board is loaded; a missing meta means Redis lost the board and it must be rebuilt.
* ``lb:{slug}:z`` sorted set — member ``seq + player_id``, score the player's value
  (negated on ``desc`` boards so every board reads in ascending order). ``seq`` is the
  8-byte big-endian microsecond time the value was reached, so among equal scores whoever
  got there first sorts first, and ``ZRANGE`` gives the final order with no re-sorting.
* ``lb:{slug}:h:<bucket>`` hashes — ``player_id`` → ``seq + name``: names for a page come
  from Redis, and ``seq`` finds a player's member again. Players are spread over
  NAME_BUCKETS small hashes, which Redis keeps in its compact listpack encoding (up to 128
  fields each): about 35 bytes a player instead of about 80 in one big hash.
* ``lb:boards`` set — the slugs that are loaded.

Every read is one Lua script: one round trip, O(log N + page size).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django_redis import get_redis_connection
from redis import Redis
from redis.commands.core import Script

SEQ_BYTES = 8
# 16,384 buckets keep a 2-million-player board under 128 fields per bucket; a larger board
# still works, its buckets just fall back to Redis's ordinary (bigger) hash encoding.
NAME_BUCKETS = 16_384
_BUCKET_MODULUS = 1_000_003  # h * 31 + 255 stays far below 2**53, exact in Lua's doubles
BOARDS_KEY = "lb:boards"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class BoardNotLoaded(Exception):
    """The board's keys are missing from Redis (never loaded, flushed or restarted)."""


@dataclass(slots=True)  # not frozen: a page builds hundreds, and frozen __init__ is slower
class Entry:
    rank: int
    player_id: str
    name: str
    score: int


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    entries: list[Entry]


@dataclass(frozen=True, slots=True)
class Standing:
    player_id: str
    name: str
    score: int
    rank: int
    total: int
    worse: int
    around: list[Entry]


@dataclass(frozen=True, slots=True)
class BoardSummary:
    slug: str
    title: str
    order: str
    operator: str
    players: int


@dataclass(frozen=True, slots=True)
class LoadRow:
    player_id: str
    name: str
    value: int
    achieved_at: datetime


def meta_key(slug: str) -> str:
    return f"lb:{{{slug}}}:meta"


def zset_key(slug: str) -> str:
    return f"lb:{{{slug}}}:z"


def names_prefix(slug: str) -> str:
    """The names hashes' common prefix; a bucket number completes a key."""
    return f"lb:{{{slug}}}:h:"


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


def seq_bytes(moment: datetime) -> bytes:
    """Encode when a score was reached so that byte order is time order."""
    micros = (moment - _EPOCH) // _MICROSECOND
    return micros.to_bytes(SEQ_BYTES, "big")


def stored_score(value: int, order: str) -> int:
    """Map a value to the sorted-set score: boards always read ascending."""
    return -value if order == "desc" else value


def _value(raw: bytes, order: str) -> int:
    # Scores are integers within ±(2**53 - 1), exact in a double.
    number = int(float(raw))
    return -number if order == "desc" else number


def connection() -> Redis:
    """Return a client on django-redis's shared, per-process connection pool."""
    return get_redis_connection("default")


# names_key(prefix, player_id): the player's names hash, as name_bucket() computes it.
# Scripts reach the bucket keys through the names prefix they are given in KEYS; all share
# the board's {slug} hash tag, so they stay in one cluster slot.
_NAMES_KEY = f"""
local function names_key(prefix, id)
  local h = 0
  for i = 1, #id do h = (h * 31 + string.byte(id, i)) % {_BUCKET_MODULUS} end
  return prefix .. (h % {NAME_BUCKETS})
end
"""

# Appends {player_id, score, name} for each row of a ZRANGE WITHSCORES reply `rows` to
# `result` (names from the hashes under KEYS[3]) and returns it.
_APPEND_ROWS = """
for i = 1, #rows, 2 do
  local id = string.sub(rows[i], 9)
  local name = redis.call('HGET', names_key(KEYS[3], id), id)
  result[#result + 1] = id
  result[#result + 1] = rows[i + 1]
  result[#result + 1] = name and string.sub(name, 9) or ''
end
return result
"""

# A page: KEYS meta, zset, names; ARGV start, stop.
# Returns false when the board is not loaded, else
# {order, total, better_than_first, id1, score1, name1, id2, ...}.
_PAGE = (
    _NAMES_KEY
    + """
local order = redis.call('HGET', KEYS[1], 'order')
if not order then return false end
local result = {order, redis.call('ZCARD', KEYS[2])}
local rows = redis.call('ZRANGE', KEYS[2], ARGV[1], ARGV[2], 'WITHSCORES')
if #rows == 0 then return result end
result[3] = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. rows[2])
"""
    + _APPEND_ROWS
)

# A player's standing and the window around it: KEYS meta, zset, names; ARGV player_id, around.
# Returns false when the board is not loaded, {order} when the player has no score, else
# {order, total, name, score, better, worse, window_start, window_better, id1, s1, n1, ...}.
_STANDING = (
    _NAMES_KEY
    + """
local order = redis.call('HGET', KEYS[1], 'order')
if not order then return false end
local own = redis.call('HGET', names_key(KEYS[3], ARGV[1]), ARGV[1])
if not own then return {order} end
local member = string.sub(own, 1, 8) .. ARGV[1]
local index = redis.call('ZRANK', KEYS[2], member)
if not index then return {order} end
local score = redis.call('ZSCORE', KEYS[2], member)
local total = redis.call('ZCARD', KEYS[2])
local around = tonumber(ARGV[2])
local start = math.max(0, index - around)
local stop = math.min(total - 1, start + 2 * around)
start = math.max(0, stop - 2 * around)
local result = {order, total, string.sub(own, 9), score,
  redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. score),
  redis.call('ZCOUNT', KEYS[2], '(' .. score, '+inf'), start}
local rows = redis.call('ZRANGE', KEYS[2], string.format('%d', start),
  string.format('%d', stop), 'WITHSCORES')
result[8] = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. rows[2])
"""
    + _APPEND_ROWS
)

# Set one player's entry: KEYS meta, zset, names; ARGV player_id, stored score, seq, name.
# Returns false when the board is not loaded, else {better, total}.
_WRITE = (
    _NAMES_KEY
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local names = names_key(KEYS[3], ARGV[1])
local old = redis.call('HGET', names, ARGV[1])
if old then redis.call('ZREM', KEYS[2], string.sub(old, 1, 8) .. ARGV[1]) end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3] .. ARGV[1])
redis.call('HSET', names, ARGV[1], ARGV[3] .. ARGV[4])
return {redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. ARGV[2]), redis.call('ZCARD', KEYS[2])}
"""
)

# Remove one player's entry: KEYS zset, names prefix; ARGV player_id.
_REMOVE = (
    _NAMES_KEY
    + """
local names = names_key(KEYS[2], ARGV[1])
local old = redis.call('HGET', names, ARGV[1])
if not old then return 0 end
redis.call('ZREM', KEYS[1], string.sub(old, 1, 8) .. ARGV[1])
return redis.call('HDEL', names, ARGV[1])
"""
)

# Rename a player on one board: KEYS names prefix; ARGV player_id, name.
_RENAME = (
    _NAMES_KEY
    + """
local names = names_key(KEYS[1], ARGV[1])
local old = redis.call('HGET', names, ARGV[1])
if not old then return 0 end
redis.call('HSET', names, ARGV[1], string.sub(old, 1, 8) .. ARGV[2])
return 1
"""
)

# Every loaded board with its size. Returns {slug, title, order, operator, players, ...}
# or false when a listed board lost its meta.
_BOARDS = """
local result = {}
for _, slug in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local meta = redis.call('HMGET', 'lb:{' .. slug .. '}:meta', 'title', 'order', 'operator')
  if not meta[2] then return false end
  result[#result + 1] = slug
  result[#result + 1] = meta[1]
  result[#result + 1] = meta[2]
  result[#result + 1] = meta[3]
  result[#result + 1] = redis.call('ZCARD', 'lb:{' .. slug .. '}:z')
end
return result
"""

# Put a board built aside in place of the live one, in one step readers cannot see into:
# KEYS meta, zset, names prefix, built meta, built zset, built names prefix, boards;
# ARGV slug, bucket count.
_SWAP = """
local function swap(live, built)
  redis.call('UNLINK', live)
  if redis.call('EXISTS', built) == 1 then redis.call('RENAME', built, live) end
end
swap(KEYS[1], KEYS[4])
swap(KEYS[2], KEYS[5])
for bucket = 0, tonumber(ARGV[2]) - 1 do swap(KEYS[3] .. bucket, KEYS[6] .. bucket) end
redis.call('SADD', KEYS[7], ARGV[1])
return 1
"""

# Delete a board's keys (live or built aside): KEYS meta, zset, names prefix; ARGV buckets.
_DROP = """
redis.call('UNLINK', KEYS[1], KEYS[2])
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


def _entries(rows: list, first_position: int, better_than_first: int, order: str) -> list[Entry]:
    """Turn flat script rows into entries with competition ranks (1, 1, 3 ...)."""
    entries: list[Entry] = []
    previous_raw = None
    rank = better_than_first + 1
    for i in range(0, len(rows), 3):
        raw_score = rows[i + 1]
        if previous_raw is not None and raw_score != previous_raw:
            rank = first_position + i // 3 + 1
        previous_raw = raw_score
        entries.append(
            Entry(
                rank=rank,
                player_id=rows[i].decode(),
                name=rows[i + 2].decode(),
                score=_value(raw_score, order),
            )
        )
    return entries


def entries_page(*, slug: str, offset: int, limit: int, client: Redis | None = None) -> Page:
    """Return ``limit`` entries from position ``offset`` (0-based) and the board's size."""
    reply = _run(_PAGE, board_keys(slug), [offset, offset + limit - 1], client)
    if not reply:
        raise BoardNotLoaded(slug)
    order = reply[0].decode()
    if len(reply) == 2:
        return Page(total=reply[1], entries=[])
    return Page(total=reply[1], entries=_entries(reply[3:], offset, reply[2], order))


def entry_standing(
    *, slug: str, player_id: str, around: int, client: Redis | None = None
) -> Standing | None:
    """Return the player's rank and neighbours, or None when they have no score here."""
    reply = _run(_STANDING, board_keys(slug), [player_id, around], client)
    if not reply:
        raise BoardNotLoaded(slug)
    if len(reply) == 1:
        return None
    order = reply[0].decode()
    total, name, raw_score, better, worse, start, window_better = reply[1:8]
    return Standing(
        player_id=player_id,
        name=name.decode(),
        score=_value(raw_score, order),
        rank=better + 1,
        total=total,
        worse=worse,
        around=_entries(reply[8:], start, window_better, order),
    )


def entry_write(
    *,
    slug: str,
    order: str,
    player_id: str,
    name: str,
    value: int,
    achieved_at: datetime,
    client: Redis | None = None,
) -> tuple[int, int]:
    """Set the player's entry to exactly this state; return (rank, board size)."""
    score = stored_score(value, order)
    reply = _run(
        _WRITE,
        board_keys(slug),
        [player_id, score, seq_bytes(achieved_at), name.encode()],
        client,
    )
    if not reply:
        raise BoardNotLoaded(slug)
    return reply[0] + 1, reply[1]


def entry_remove(*, slug: str, player_id: str, client: Redis | None = None) -> bool:
    """Drop the player's entry from the board; True when there was one."""
    return bool(_run(_REMOVE, [zset_key(slug), names_prefix(slug)], [player_id], client))


def entry_rename(*, slug: str, player_id: str, name: str, client: Redis | None = None) -> None:
    """Change the name shown for the player on one board."""
    _run(_RENAME, [names_prefix(slug)], [player_id, name.encode()], client)


def boards_overview(*, client: Redis | None = None) -> list[BoardSummary]:
    """Return every loaded board with its player count, in one round trip."""
    reply = _run(_BOARDS, [BOARDS_KEY], [], client)
    if reply is False or reply is None:
        raise BoardNotLoaded("*")
    boards = [
        BoardSummary(
            slug=reply[i].decode(),
            title=reply[i + 1].decode(),
            order=reply[i + 2].decode(),
            operator=reply[i + 3].decode(),
            players=reply[i + 4],
        )
        for i in range(0, len(reply), 5)
    ]
    return sorted(boards, key=lambda board: board.slug)


def board_load(
    *,
    slug: str,
    title: str,
    order: str,
    operator: str,
    rows: Iterable[LoadRow],
    chunk: int = 50_000,
    progress=None,
    client: Redis | None = None,
) -> int:
    """Build the board aside from ``rows`` and swap it in atomically; return its size.

    Readers see the old board until the swap and the whole new one after it. If anything
    fails before the swap, the half-built keys are removed and the live board is untouched.
    """
    client = client or connection()
    tag = secrets.token_hex(6)
    built = [f"lb:{{{slug}}}:build:{tag}:{part}" for part in ("meta", "z", "h:")]
    count = 0
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hset(built[0], mapping={"title": title, "order": order, "operator": operator})
        scores: dict[bytes, int] = {}
        names: dict[int, dict[str, bytes]] = defaultdict(dict)
        for row in rows:
            seq = seq_bytes(row.achieved_at)
            scores[seq + row.player_id.encode()] = stored_score(row.value, order)
            names[name_bucket(row.player_id)][row.player_id] = seq + row.name.encode()
            if len(scores) >= chunk:
                count += _flush(pipe, built, scores, names, progress)
        count += _flush(pipe, built, scores, names, progress)
        _run(_SWAP, [*board_keys(slug), *built, BOARDS_KEY], [slug, NAME_BUCKETS], client)
    except BaseException:
        _run(_DROP, built, [NAME_BUCKETS], client)
        raise
    return count


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
    """Remove a board's keys (the board was deleted from the database)."""
    client = client or connection()
    _run(_DROP, board_keys(slug), [NAME_BUCKETS], client)
    client.srem(BOARDS_KEY, slug)


def rebuild_lock(*, slug: str, seconds: int, client: Redis | None = None) -> str | None:
    """Take the board's rebuild lock; return its token, or None when someone holds it."""
    token = secrets.token_hex(8)
    taken = (client or connection()).set(f"lb:{{{slug}}}:rebuilding", token, nx=True, ex=seconds)
    return token if taken else None


_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def rebuild_unlock(*, slug: str, token: str, client: Redis | None = None) -> None:
    """Release the rebuild lock if it is still ours."""
    _run(_UNLOCK, [f"lb:{{{slug}}}:rebuilding"], [token], client)


_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


def rebuild_lock_renew(*, slug: str, token: str, seconds: int, client: Redis | None = None) -> None:
    """Push the lock's expiry out while a long rebuild is still making progress."""
    _run(_RENEW, [f"lb:{{{slug}}}:rebuilding"], [token, seconds], client)


def boards_listed(*, client: Redis | None = None) -> bool:
    """True while Redis holds the list of loaded boards (it goes with a restart or flush)."""
    return bool((client or connection()).exists(BOARDS_KEY))


def board_is_loaded(*, slug: str, client: Redis | None = None) -> bool:
    return bool((client or connection()).exists(meta_key(slug)))


def ping(*, client: Redis | None = None) -> bool:
    return bool((client or connection()).ping())
