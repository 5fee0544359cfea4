-- Repair entries whose record is still what a check read: KEYS zset, names prefix; ARGV the
-- board's subscore columns (ties.lua), then per fix: player_id, expected record ('' for none), new record ('' to drop the entry),
-- new stored score, stray member to remove ('' for none). Returns how many were changed.
--#include names_key
--#include ties
ties_width(ARGV[1])
local changed = 0
for i = 2, #ARGV, 5 do
  local id, expected, record = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local names = names_key(KEYS[2], id)
  local old = redis.call('HGET', names, id) or ''
  if old == expected then
    if #old > VERSION_BYTES then
      redis.call('ZREM', KEYS[1], string.sub(old, VERSION_BYTES + 1, RECORD_HEAD) .. id)
    end
    if ARGV[i + 4] ~= '' then redis.call('ZREM', KEYS[1], ARGV[i + 4]) end
    if record == '' then
      redis.call('HDEL', names, id)
    else
      redis.call('ZADD', KEYS[1], ARGV[i + 3],
        string.sub(record, VERSION_BYTES + 1, RECORD_HEAD) .. id)
      redis.call('HSET', names, id, record)
    end
    changed = changed + 1
  end
end
return changed
