-- moved(id, score, key, rank): the places a player of stored `score` (a string), tie key
-- `key` and competition rank `rank` gained since the snapshot, or '' when they had no entry
-- then. Unchanged players (absent from sm) had `score` then too, and rank - 1 players are
-- better now; for the others (sm holds their key and score then) the live set is counted at
-- their place then. Nothing changed (st and sn empty): 0, no call.
--#include snapshot_day
--#include ties
local moving = ARGV[3] ~= '' and redis.call('EXISTS', KEYS[6], KEYS[7]) > 0
local function moved(id, score, key, rank)
  if not moving then return 0 end
  local before = redis.call('HGET', KEYS[5], id)
  local below
  if before then
    if before == '' then return '' end
    key, before = string.sub(before, 1, SUB_BYTES), string.sub(before, SUB_BYTES + 1)
    below = better(KEYS[2], before, key)
  else
    before, below = score, rank - 1
  end
  return below + 1 - rank - better(KEYS[7], before, key) + better(KEYS[6], before, key)
end
