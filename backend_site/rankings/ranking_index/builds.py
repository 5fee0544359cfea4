"""Whole rankings in Redis: building one aside and swapping it in, dropping, expiring,
marking stale, and seeding its rank-movement snapshot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from redis import Redis

from backend_site.rankings.ranking_index import connections
from backend_site.rankings.ranking_index.layout import (
    BOARDS_KEY,
    JOURNAL_SECONDS,
    LAYOUT,
    NAME_BUCKETS,
    built_keys,
    entry_record,
    entry_tie,
    lock_key,
    meta_key,
    movement_keys,
    name_bucket,
    ranking_keys,
    stored_score,
)
from backend_site.rankings.values import Before, LoadRow

_SWAP = connections.lua("swap")


_DROP = connections.lua("drop")


def ranking_build(
    *,
    ranking: str,
    title: str,
    order: str,
    operator: str,
    rows: Iterable[LoadRow],
    tag: str,
    subscores: int = 0,
    chunk: int = 10_000,  # a ZADD of this many into 1M: under 0.1 s, well in REDIS_TIMEOUT
    progress=None,
    client: Redis | None = None,
) -> int:
    """Build the board aside from ``rows`` (swap it in with ranking_swap); return its size.
    ``subscores``: how many tie-break columns the board has (each row's ``ties``).

    Call it holding the board's rebuild lock with ``tag`` as its token: writes applied
    meanwhile are journaled under that tag and replayed onto the built board by the swap.
    If anything fails, the half-built keys are removed and the live board is untouched.
    """
    client = client or connections.connection()
    built = built_keys(ranking, tag)
    meta = {"title": title, "order": order, "operator": operator, "layout": LAYOUT}
    if subscores:
        meta["subscores"] = subscores
    count = 0
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hset(built[0], mapping=meta)
        scores: dict[bytes, int] = {}
        names: dict[int, dict[str, bytes]] = defaultdict(dict)
        for row in rows:
            tie = entry_tie(row.ties, row.achieved_at)
            scores[tie + row.player_id.encode()] = stored_score(row.value, order)
            names[name_bucket(row.player_id)][row.player_id] = entry_record(
                row.version, tie, row.name, row.metadata
            )
            if len(scores) >= chunk:
                count += _flush(pipe, built, scores, names, progress)
        count += _flush(pipe, built, scores, names, progress)
    except BaseException:
        ranking_build_drop(ranking=ranking, tag=tag, client=client)
        raise
    return count


def ranking_swap(*, ranking: str, tag: str, client: Redis | None = None) -> None:
    """Replay the build's journal onto it and put it in place of the live board, atomically;
    readers see the old board until then and the whole new one after. Releases the lock."""
    client = client or connections.connection()
    built = built_keys(ranking, tag)
    try:
        # Listed first, in a command of its own (the list is in another slot): a swap that
        # then fails leaves a listed board without keys, which reads as lost and is rebuilt.
        client.sadd(BOARDS_KEY, ranking)
        connections.run(
            _SWAP,
            [*ranking_keys(ranking), *built[:3], built[3], lock_key(ranking)],
            [NAME_BUCKETS, tag],
            client,
        )
    except BaseException:
        ranking_build_drop(ranking=ranking, tag=tag, client=client)
        raise


def ranking_build_drop(*, ranking: str, tag: str, client: Redis | None = None) -> None:
    """Remove a build that will not be swapped in, and its journal."""
    client = client or connections.connection()
    built = built_keys(ranking, tag)
    connections.run(_DROP, built[:3], [NAME_BUCKETS], client)
    client.unlink(built[3], f"{built[3]}s")


def ranking_load(*, ranking: str, tag: str, client: Redis | None = None, **build) -> int:
    """Build the board aside and swap it in (see ranking_build); return its size."""
    size = ranking_build(ranking=ranking, tag=tag, client=client, **build)
    ranking_swap(ranking=ranking, tag=tag, client=client)
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


def ranking_forget(*, ranking: str, client: Redis | None = None) -> None:
    """Remove a board's keys (the board was deleted from the database or renamed)."""
    client = client or connections.connection()
    connections.run(
        _DROP, [*ranking_keys(ranking), *movement_keys(ranking)], [NAME_BUCKETS], client
    )
    client.srem(BOARDS_KEY, ranking)


def journal_keep(*, ranking: str, tag: str, client: Redis | None = None) -> None:
    """Keep a running build's journal JOURNAL_SECONDS longer (the rebuild renews its lock)."""
    journal = built_keys(ranking, tag)[3]
    pipe = (client or connections.connection()).pipeline(transaction=False)
    pipe.expire(journal, JOURNAL_SECONDS)
    pipe.expire(f"{journal}s", JOURNAL_SECONDS)
    pipe.execute()


def ranking_mark_stale(*, ranking: str, client: Redis | None = None) -> None:
    """Make the board read as not loaded, so the next request rebuilds it from the database
    (readers keep its old keys until that rebuild's swap)."""
    (client or connections.connection()).hdel(meta_key(ranking), "layout")


_EXPIRE = connections.lua("expire")


def ranking_expire(*, ranking: str, seconds: int, client: Redis | None = None) -> None:
    """Let a ranking (a closed period's) go from Redis after ``seconds``; the database keeps
    it, and a read loads it back."""
    client = client or connections.connection()
    connections.run(
        _EXPIRE, [*ranking_keys(ranking), *movement_keys(ranking)], [NAME_BUCKETS, seconds], client
    )
    client.srem(BOARDS_KEY, ranking)


_SNAPSHOT_SEED = connections.lua("snapshot_seed")


def snapshot_seed(
    *,
    ranking: str,
    order: str,
    today: str,
    before: Sequence[Before],
    chunk: int = 5_000,
    client: Redis | None = None,
) -> None:
    """Make the ranking's snapshot of ``today`` the one ``before`` describes (every player
    changed since 00:00, as they were then); the others are as they are now."""
    client = client or connections.connection()
    keys = [*ranking_keys(ranking), *movement_keys(ranking)]
    start = 0
    while True:
        args: list = [today, "1" if start == 0 else "0"]
        for entry in before[start : start + chunk]:
            if entry.value is None:
                args += [entry.player_id, "", ""]
            else:
                member = entry_tie(entry.ties, entry.achieved_at) + entry.player_id.encode()
                args += [entry.player_id, stored_score(entry.value, order), member]
        connections.run(_SNAPSHOT_SEED, keys, args, client)
        start += chunk
        if start >= len(before):
            return
