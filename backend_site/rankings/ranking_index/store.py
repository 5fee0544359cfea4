"""Reading and writing rankings' entries in Redis: one Lua script (lua/, scripts.py) per
call, and plain results (values.py). The keys are laid out as layout.py says.

Every read is one Lua script: one round trip, O(log N + page size). On a Redis Cluster
(settings.REDIS_CLUSTER) every script and pipeline stays within one board's slot, so it goes
to one node; different boards hash to different slots and spread over the shards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

import orjson
from redis import Redis
from redis.cluster import RedisCluster
from redis.exceptions import NoScriptError

from backend_site.rankings.ranking_index import connections
from backend_site.rankings.ranking_index.layout import (
    BOARDS_KEY,
    LAYOUT,
    VERSION_BYTES,
    lock_key,
    meta_key,
    movement_keys,
    names_key,
    names_prefix,
    ranking_keys,
    read_keys,
    record_bytes,
    record_head,
    record_name_and_metadata,
    stored_score,
    ties_decode,
    zset_key,
)
from backend_site.rankings.subscores import values_of
from backend_site.rankings.values import (
    Applied,
    EntryChange,
    EntryWithMetadata,
    EntryWithSubscores,
    EntryWithSubscoresAndMetadata,
    Page,
    Standing,
)
from common.entries import Entry


class BoardNotLoaded(Exception):
    """The board's keys are missing from Redis (never loaded, flushed or restarted)."""


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as Redis holds it (``raw`` is the record, for a later compare-and-set)."""

    player_id: str
    raw: bytes | None
    in_zset: bool
    stored_score: int | None
    columns: int = 0  # the board's subscores

    @property
    def present(self) -> bool:
        return self.raw is not None and len(self.raw) > VERSION_BYTES

    @property
    def tie(self) -> bytes:
        return self.raw[VERSION_BYTES : record_head(self.columns)] if self.present else b""

    @property
    def name(self) -> str:
        if not self.present:
            return ""
        return record_name_and_metadata(self.raw[record_head(self.columns) :])[0]

    @property
    def metadata(self) -> str | None:
        if not self.present:
            return None
        return record_name_and_metadata(self.raw[record_head(self.columns) :])[1]


_PAGE = connections.lua("page")


def _moved_decode(value: int | bytes) -> int | None:
    """A moved() value: places gained, or None for '' (new since the snapshot)."""
    return None if value == b"" else value


def metadata_decode(raw: bytes) -> dict | None:
    """An entry's metadata as a record holds it (compact JSON), None for b"" (none)."""
    return orjson.loads(raw) if raw else None


def subscores_decode(key: bytes, orders: tuple[str, ...]) -> list[int]:
    """A tie key as a script returns it, as the subscores the game sent."""
    return values_of(ties_decode(key), orders)


def _rows_decode(
    reply: list, start: int, *, moving: bool, metadata: bool = False, orders: tuple[str, ...] = ()
) -> list[Entry]:
    """The entries _APPEND_ROWS put in ``reply`` from index ``start``: five fields a row
    with their rank change, four (and a change of 0) when nothing moved since the snapshot,
    then the subscores on a board with them (``orders``: its columns'), and the metadata
    after them when asked."""
    rows = islice(reply, start, None)
    if orders:
        width = 5 + moving + metadata
        entries: list[Entry] = []
        for row in zip(*[rows] * width, strict=True):
            entry = (EntryWithSubscoresAndMetadata if metadata else EntryWithSubscores)(
                row[3],
                row[0].decode(),
                row[1].decode(),
                row[2],
                _moved_decode(row[4]) if moving else 0,
                subscores_decode(row[4 + moving], orders),
            )
            if metadata:
                entry.metadata = metadata_decode(row[-1])
            entries.append(entry)
        return entries
    if metadata:
        width = 6 if moving else 5
        return [
            EntryWithMetadata(
                row[3],
                row[0].decode(),
                row[1].decode(),
                row[2],
                _moved_decode(row[4]) if moving else 0,
                metadata_decode(row[-1]),
            )
            for row in zip(*[rows] * width, strict=True)
        ]
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


def _page_decode(
    reply: list | None, *, ranking: str, metadata: bool = False, orders: tuple[str, ...] = ()
) -> Page:
    """_PAGE's reply as a Page; BoardNotLoaded for its false."""
    if not reply:
        raise BoardNotLoaded(ranking)
    total, moving = reply[0], reply[1]
    entries = _rows_decode(reply, 2, moving=bool(moving), metadata=metadata, orders=orders)
    return Page(total=total, entries=entries)


_STANDING = connections.lua("standing")


def _standing_decode(
    reply: list | None,
    *,
    ranking: str,
    player_id: str,
    metadata: bool = False,
    orders: tuple[str, ...] = (),
) -> Standing | None:
    """_STANDING's reply as a Standing, None for its {}; BoardNotLoaded for its false."""
    if reply is None:  # false from the script
        raise BoardNotLoaded(ranking)
    if not reply:
        return None
    total, name, score, rank, worse, moved, moving = reply[:7]
    # the player's own subscores (a board with them), then metadata (when asked) follow
    head = 7 + bool(orders) + metadata
    return Standing(
        player_id=player_id,
        name=name.decode(),
        score=score,
        rank=rank,
        rank_change=_moved_decode(moved),
        total=total,
        worse=worse,
        around=_rows_decode(reply, head, moving=bool(moving), metadata=metadata, orders=orders),
        metadata=metadata_decode(reply[head - 1]) if metadata else None,
        subscores=subscores_decode(reply[7], orders) if orders else None,
    )


_LOOKUP = connections.lua("lookup")


@dataclass(frozen=True, slots=True)
class Found:
    """A player _LOOKUP found: ``position`` is their 0-based place in the ranking (ties
    broken by who got there first), ``worse`` how many players have a worse score."""

    position: int
    rank: int
    worse: int
    player_id: str
    name: str
    score: int
    rank_change: int | None
    metadata: dict | None = None
    subscores: list[int] | None = None  # on a board with them


def _lookup_decode(
    reply: list | None, *, ranking: str, metadata: bool = False, orders: tuple[str, ...] = ()
) -> tuple[int, list[Found]]:
    """_LOOKUP's reply as the ranking's size and the players found; BoardNotLoaded for its
    false."""
    if not reply:
        raise BoardNotLoaded(ranking)
    total, moving = reply[0], reply[1]
    rows = islice(reply, 2, None)
    width = 6 + bool(moving) + bool(orders) + metadata
    return total, [
        Found(
            row[5],
            row[3],
            row[4],
            row[0].decode(),
            row[1].decode(),
            row[2],
            _moved_decode(row[6]) if moving else 0,
            metadata_decode(row[-1]) if metadata else None,
            subscores_decode(row[6 + bool(moving)], orders) if orders else None,
        )
        for row in zip(*[rows] * width, strict=True)
    ]


_APPLY = connections.lua("apply")


def _apply_decode(reply: list | None, *, ranking: str) -> tuple[int, list[Applied]]:
    """_APPLY's reply as the board's size and an Applied per change; BoardNotLoaded for
    its false."""
    if not reply:
        raise BoardNotLoaded(ranking)
    total = reply[0]
    outcomes = islice(reply, 1, None)
    return total, [
        Applied(applied=bool(applied), previous_rank=previous or None, rank=rank or None)
        for applied, previous, rank in zip(outcomes, outcomes, outcomes, strict=True)
    ]


_REPAIR = connections.lua("repair")


def entries_page(
    *,
    ranking: str,
    offset: int,
    limit: int,
    today: str,
    metadata: bool = False,
    subscores: tuple[str, ...] = (),
    client: Redis | None = None,
) -> Page:
    """Return ``limit`` entries from position ``offset`` (0-based) and the board's size, each
    with its rank change since the snapshot of ``today`` (the board's day id; "" spares
    Redis the movement, for a caller that does not show it: every rank change is then 0),
    and its metadata when asked; ``subscores``: the board's columns' orders, when it has any."""
    keys = read_keys(ranking)
    args = [offset, offset + limit - 1, today, "1" if metadata else "0"]
    reply = connections.run(_PAGE, keys, args, client)
    return _page_decode(reply, ranking=ranking, metadata=metadata, orders=subscores)


def entry_standing(
    *,
    ranking: str,
    player_id: str,
    around: int,
    today: str,
    metadata: bool = False,
    subscores: tuple[str, ...] = (),
    client: Redis | None = None,
) -> Standing | None:
    """Return the player's rank, rank change and neighbours, or None when they have no score
    here (rank changes count from the snapshot of ``today``, the board's day id); their
    metadata and their neighbours' when asked."""
    keys = read_keys(ranking)
    args = [player_id, around, today, "1" if metadata else "0"]
    reply = connections.run(_STANDING, keys, args, client)
    return _standing_decode(
        reply, ranking=ranking, player_id=player_id, metadata=metadata, orders=subscores
    )


def entries_lookup(
    *,
    ranking: str,
    player_ids: Sequence[str],
    today: str,
    metadata: bool = False,
    subscores: tuple[str, ...] = (),
    client: Redis | None = None,
) -> tuple[int, list[Found]]:
    """The ranking's size and the entries of those of ``player_ids`` that have one, in one
    round trip (O(k log N) for k ids); rank changes count from the snapshot of ``today``;
    each entry's metadata when asked."""
    keys = read_keys(ranking)
    args = [len(player_ids), "1" if metadata else "0", today, *player_ids]
    reply = connections.run(_LOOKUP, keys, args, client)
    return _lookup_decode(reply, ranking=ranking, metadata=metadata, orders=subscores)


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
    return [*ranking_keys(name), *movement_keys(name), lock_key(name)], args


def entries_apply(
    *,
    ranking: str,
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
    keys, args = _apply_call(ranking, order, changes, today, previous_ranks)
    reply = connections.run(_APPLY, keys, args, client)
    return _apply_decode(reply, ranking=ranking)


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
    client = client or connections.connection()
    script = connections.script(_APPLY)
    calls = [_apply_call(*batch, previous_ranks) for batch in batches]
    if len(calls) == 1 or isinstance(client, RedisCluster):
        # One ranking (most single submissions): the script alone, no pipeline around it.
        return [
            _apply_or_not_loaded(connections.run(_APPLY, keys, args, client), name)
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
    return _apply_decode(reply, ranking=name) if reply else BoardNotLoaded(name)


def _evalsha_all(client: Redis, sha: str, calls: list[tuple[list[str], list]]) -> list:
    """Send one EVALSHA per call in one pipeline; replies and errors, in order."""
    if not calls:
        return []
    pipe = client.pipeline(transaction=False)
    for keys, args in calls:
        pipe.evalsha(sha, len(keys), *keys, *args)
    return pipe.execute(raise_on_error=False)


def entries_read(
    *,
    ranking: str,
    players: Sequence[tuple[str, bytes]],
    columns: int = 0,
    client: Redis | None = None,
) -> list[StoredEntry]:
    """Read each player's record and the score of the member ``tie + player_id``, on a board
    of ``columns`` subscores; one trip."""
    pipe = (client or connections.connection()).pipeline(transaction=False)
    zset = zset_key(ranking)
    for player_id, seq in players:
        pipe.hget(names_key(ranking, player_id), player_id)
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
                columns=columns,
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
    *,
    ranking: str,
    order: str,
    fixes: Sequence[Fix],
    columns: int = 0,
    client: Redis | None = None,
) -> int:
    """Apply fixes that still hold (compare-and-set per entry) on a board of ``columns``
    subscores; return how many did."""
    args: list = [columns]
    for fix in fixes:
        change = fix.change
        score = "" if change is None else stored_score(change.value, order)
        record = b"" if change is None else record_bytes(change)
        args += [fix.player_id, fix.expected or b"", record, score, fix.stray_member]
    if not fixes:
        return 0
    return connections.run(_REPAIR, [zset_key(ranking), names_prefix(ranking)], args, client)


def zset_members(
    *, ranking: str, start: int, stop: int, client: Redis | None = None
) -> list[tuple[bytes, int]]:
    """Members and stored scores by position, for a check that walks the whole board."""
    rows = (client or connections.connection()).zrange(
        zset_key(ranking), start, stop, withscores=True
    )
    return [(member, int(score)) for member, score in rows]


def ranking_size(*, ranking: str, client: Redis | None = None) -> int:
    return (client or connections.connection()).zcard(zset_key(ranking))


def rankings_register(*, rankings: Iterable[str], client: Redis | None = None) -> None:
    """List boards as loaded (restoring the list after Redis lost it, but not the boards)."""
    rankings = list(rankings)
    if rankings:
        (client or connections.connection()).sadd(BOARDS_KEY, *rankings)


def rankings_listed(*, client: Redis | None = None) -> bool:
    """True while Redis holds the list of loaded boards (it goes with a restart or flush)."""
    return bool((client or connections.connection()).exists(BOARDS_KEY))


def ranking_is_loaded(*, ranking: str, client: Redis | None = None) -> bool:
    return (client or connections.connection()).hget(meta_key(ranking), "layout") == LAYOUT.encode()


def ping(*, client: Redis | None = None) -> bool:
    return bool((client or connections.connection()).ping())


def rankings_listed_names(*, client: Redis | None = None) -> list[str]:
    """The names of the rankings listed as loaded."""
    return [name.decode() for name in (client or connections.connection()).smembers(BOARDS_KEY)]


def rankings_sizes(*, rankings: Sequence[str], client: Redis | None = None) -> list[int | None]:
    """Each ranking's number of players, None for one not loaded; one round trip (on a
    cluster, one per node that holds any)."""
    if not rankings:
        return []
    pipe = (client or connections.connection()).pipeline(transaction=False)
    for ranking in rankings:
        pipe.hget(meta_key(ranking), "layout")
        pipe.zcard(zset_key(ranking))
    reply = iter(pipe.execute())
    return [
        size if layout == LAYOUT.encode() else None
        for layout, size in zip(reply, reply, strict=True)
    ]
