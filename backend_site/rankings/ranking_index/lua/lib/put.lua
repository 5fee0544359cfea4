-- version(record): a record's version as a number; rank_of(z, member): a member's
-- competition rank; put(z, names, id, old, record, score): make the entry exactly `record`
-- (a tombstone when `score` is false) when it is newer than `old`, the record the caller read
-- from the names hash `names`.
--#include names_key
--#include ties
local function version(record)
  local a, b, c, d, e, f, g, h = string.byte(record, 1, 8)
  return ((((((a * 256 + b) * 256 + c) * 256 + d) * 256 + e) * 256 + f) * 256 + g) * 256 + h
end
local function rank_of(z, member)
  local score = redis.call('ZSCORE', z, member)
  if not score then return false end
  if SUB_BYTES == 0 then return redis.call('ZCOUNT', z, '-inf', '(' .. score) + 1 end
  return rank_at(z, redis.call('ZRANK', z, member), score, string.sub(member, 1, SUB_BYTES))
end
local function put(z, names, id, old, record, score)
  if old and version(old) >= version(record) then return false end
  if old and #old > VERSION_BYTES then
    redis.call('ZREM', z, string.sub(old, VERSION_BYTES + 1, RECORD_HEAD) .. id)
  end
  if score then
    redis.call('ZADD', z, score, string.sub(record, VERSION_BYTES + 1, RECORD_HEAD) .. id)
  end
  redis.call('HSET', names, id, record)
  return true
end
