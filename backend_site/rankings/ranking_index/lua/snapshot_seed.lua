-- Set a ranking's snapshot from what the database says the changed players had at 00:00 (a
-- ranking loaded during the day has no movement of its own): KEYS meta, zset, names prefix,
-- then movement_keys(); ARGV today, '1' to start the snapshot anew (the first call), then per
-- player changed since 00:00: id, their stored score then ('' for no entry then), their member
-- then ('' likewise; it starts with their tie key then, kept with the score in sm). Their
-- members now come from the live ranking.
--#include names_key
--#include ties
ties_width(redis.call('HGET', KEYS[1], 'subscores'))
if ARGV[2] == '1' then
  redis.call('UNLINK', KEYS[5], KEYS[6], KEYS[7])
  redis.call('SET', KEYS[4], ARGV[1])
end
for i = 3, #ARGV, 3 do
  local id, score, member = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  redis.call('HSET', KEYS[5], id, member ~= '' and string.sub(member, 1, SUB_BYTES) .. score or '')
  if member ~= '' then redis.call('ZADD', KEYS[6], score, member) end
  local record = redis.call('HGET', names_key(KEYS[3], id), id)
  if record and #record > VERSION_BYTES then
    local now = string.sub(record, VERSION_BYTES + 1, RECORD_HEAD) .. id
    local live = redis.call('ZSCORE', KEYS[2], now)
    if live then redis.call('ZADD', KEYS[7], live, now) end
  end
end
return 1
