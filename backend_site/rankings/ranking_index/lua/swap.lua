-- Put a board built aside in place of the live one, in one step readers cannot see into,
-- after replaying the writes journaled while it was built:
-- KEYS meta, zset, names prefix, built meta, built zset, built names prefix, journal,
-- rebuild lock (all in the board's slot); ARGV bucket count, build tag.
--#include put
ties_width(redis.call('HGET', KEYS[4], 'subscores'))
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
