"""What a lookup, entry metadata and tie-break columns cost a read, in Redis, where the
read's work is.

    python -m bench.read_cost [--players 100000] [--rounds 7] [--per-round 2000]

On a redis-server of its own, a ranking of N players is built (builds.ranking_build, as a
rebuild does) twice: without metadata, and with 200 bytes of metadata on every entry. Then
each script is called from one client, in alternating rounds, and the server's own time per
call is read from INFOSTATS (``cmdstat_evalsha``: usec_per_call), which a noisy machine
disturbs far less than a served rate:

- a page of 10 (``page.lua``) on the plain ranking: what every read pays for the record's
  metadata split, against the same page before the split (``layout`` 2's script, kept here);
- the same page with ``include=metadata`` on the ranking with metadata;
- a standing with 5 around, and a lookup of 20 players (``lookup.lua``);
- the page, standing and lookup on two rankings with subscores (subscores.py): ``tied``,
  one column on scores as spread as the plain ranking's (a run of equal scores is a player
  or two), and ``dense``, two columns on scores of 10 values only (runs of N / 10 players:
  what a stars-then-moves puzzle board looks like), where the halving of a run costs most.

It prints Redis's bytes per player for each ranking too (``used_memory`` before and after).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common.local_servers import RedisServer

# page.lua and its append_rows as they were before the metadata split (commit 9040fc3):
# a row's name is the record past its head.
PAGE_BEFORE_SPLIT = """
--#include names_key
--#include loaded_order
--#include moved
local result = {redis.call('ZCARD', KEYS[2]), moving and 1 or 0}
local rows = redis.call('ZRANGE', KEYS[2], ARGV[1], ARGV[2], 'WITHSCORES')
if #rows == 0 then return result end
local position = tonumber(ARGV[1])
local better = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. rows[2])
local call, sub = redis.call, string.sub
local n = #result
local rank = better + 1
local previous = rows[2]
local width = moving and 5 or 4
for i = 1, #rows, 2 do
  local id, score = sub(rows[i], SEQ_BYTES + 1), rows[i + 1]
  local record = call('HGET', names_key(KEYS[3], id), id)
  if score ~= previous then
    rank = position + (i + 1) / 2
    previous = score
  end
  result[n + 1] = id
  result[n + 2] = record and sub(record, RECORD_HEAD + 1) or ''
  result[n + 3] = sign * tonumber(score)
  result[n + 4] = rank
  if moving then result[n + 5] = moved(id, score, rank) end
  n = n + width
end
return result
"""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.read_cost", description=__doc__)
    parser.add_argument("--players", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=2_000)
    args = parser.parse_args()
    redis = RedisServer(Path(tempfile.mkdtemp(prefix="read-cost-redis-")))
    redis.start()
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend_site.settings")
        os.environ["REDIS_URL"] = redis.url
        for name, us in _measure(args, redis.url).items():
            print(f"{name:<44} {us:8.1f} µs per call (median of {args.rounds} rounds)")
    finally:
        redis.stop()


def _measure(args, url: str) -> dict[str, float]:
    import django

    django.setup()
    from redis import Redis

    from backend_site.rankings.ranking_index import builds, layout, scripts
    from backend_site.rankings.values import LoadRow

    client = Redis.from_url(url)
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    rng = random.Random(1)
    ids = [f"p{i}" for i in range(args.players)]
    metadata = '{"replay":"' + "r" * 150 + '","car":"lotus","seed":12345678}'
    memory: dict[str, float] = {}
    # name: (metadata, subscore columns, distinct scores)
    rankings = {
        "plain": (False, 0, 1_000_000),
        "tagged": (True, 0, 1_000_000),
        "tied": (False, 1, 1_000_000),
        "dense": (False, 2, 10),
    }
    for ranking, (with_metadata, columns, values) in rankings.items():
        used = client.info("memory")["used_memory"]
        rows = (
            LoadRow(
                player_id,
                f"Player {player_id}",
                rng.randrange(values),
                moment + timedelta(microseconds=i),
                i + 1,
                metadata if with_metadata else None,
                tuple(rng.randrange(1_000) for _ in range(columns)),
            )
            for i, player_id in enumerate(ids)
        )
        builds.ranking_build(
            ranking=ranking, title=ranking, order="desc", operator="best", rows=rows,
            tag="t", subscores=columns, client=client,
        )  # fmt: skip
        builds.ranking_swap(ranking=ranking, tag="t", client=client)
        grown = client.info("memory")["used_memory"] - used
        memory[f"Redis bytes per player, {ranking} ranking"] = grown / args.players

    def script(source: str) -> str:
        return client.script_load(scripts.source_of(source, layout.LUA_CONSTANTS))

    page = client.script_load(scripts.source("page", layout.LUA_CONSTANTS))
    before = script(PAGE_BEFORE_SPLIT)
    standing = client.script_load(scripts.source("standing", layout.LUA_CONSTANTS))
    lookup = client.script_load(scripts.source("lookup", layout.LUA_CONSTANTS))

    def keys(ranking: str) -> list[str]:
        return list(layout.read_keys(ranking))

    friends = rng.sample(ids, 20)
    calls = {
        "page of 10, before the metadata split": (before, keys("plain"), [0, 9, ""]),
        "page of 10, with the split (no metadata)": (page, keys("plain"), [0, 9, "", "0"]),
        "page of 10, include=metadata (200 B each)": (page, keys("tagged"), [0, 9, "", "1"]),
        "standing, around=5": (standing, keys("plain"), [ids[len(ids) // 2], 5, "", "0"]),
        "lookup of 20 players": (lookup, keys("plain"), [20, "0", "", *friends]),
        "lookup of 20, include=metadata": (lookup, keys("tagged"), [20, "1", "", *friends]),
        **{
            f"{read}, {ranking} subscores": (sha, keys(ranking), call_args)
            for ranking in ("tied", "dense")
            for read, sha, call_args in (
                ("page of 10", page, [0, 9, "", "0"]),
                ("page of 10 at 50%", page, [len(ids) // 2, len(ids) // 2 + 9, "", "0"]),
                ("standing, around=5", standing, [ids[len(ids) // 2], 5, "", "0"]),
                ("lookup of 20", lookup, [20, "0", "", *friends]),
            )
        },
        "page of 10 at 50%, plain": (
            page,
            keys("plain"),
            [len(ids) // 2, len(ids) // 2 + 9, "", "0"],
        ),
    }
    found: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(args.rounds):
        for name, (sha, call_keys, call_args) in calls.items():
            client.config_resetstat()
            for _ in range(args.per_round):
                client.evalsha(sha, len(call_keys), *call_keys, *call_args)
            stats = client.info("commandstats")["cmdstat_evalsha"]
            found[name].append(stats["usec_per_call"])
    for name, per_player in memory.items():
        print(f"{name:<44} {per_player:8.1f}")
    return {name: statistics.median(values) for name, values in found.items()}


if __name__ == "__main__":
    main()
