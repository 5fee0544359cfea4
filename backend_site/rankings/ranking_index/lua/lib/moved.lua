-- moved(id, score, rank): the places a player of stored `score` (a string) and competition
-- rank `rank` gained since the snapshot, or '' when they had no entry then. Unchanged players
-- (absent from sm) had `score` then too, and rank - 1 players are better now; for the others
-- the live set is counted at their score then. Nothing changed (st and sn empty): 0, no call.
--#include snapshot_day
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
