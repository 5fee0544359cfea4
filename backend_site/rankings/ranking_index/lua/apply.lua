-- Apply committed changes to one board: KEYS meta, zset, names prefix, then movement_keys(),
-- then the rebuild lock; ARGV slug, '1' to find previous ranks (else '0'), today's day id,
-- then per change: player_id, record, stored score ('' for a removal, 'h' for a hidden player).
-- Returns false when the board is not loaded, else {total, applied1, previous1, rank1, ...}
-- (previous and rank 0 when the player had or has no entry). A change that applies records
-- the player's entry at the snapshot on their first change since it (sm, st) and keeps their
-- entry now in sn; a hidden player's leaves the snapshot altogether (others' rank changes
-- then count as if they had never been on the board).
--#include put
local meta = redis.call('HMGET', KEYS[1], 'layout', 'subscores')
if meta[1] ~= LAYOUT then return false end
ties_width(meta[2])
--#include snapshot_day
local tag = redis.call('GET', KEYS[8])
local journal = tag and ('lb:{' .. ARGV[1] .. '}:build:' .. tag .. ':j')
local result = {0}
local want_previous = ARGV[2] == '1'
for i = 4, #ARGV, 3 do
  local id, record = ARGV[i], ARGV[i + 1]
  local hide = ARGV[i + 2] == 'h'
  local score = ARGV[i + 2] ~= '' and not hide and ARGV[i + 2]
  local names = names_key(KEYS[3], id)
  local old = redis.call('HGET', names, id)
  local member = old and #old > VERSION_BYTES and
    string.sub(old, VERSION_BYTES + 1, RECORD_HEAD) .. id
  local newer = not old or version(old) < version(record)
  local stored = member and (want_previous or newer) and redis.call('ZSCORE', KEYS[2], member)
  local previous = 0
  if want_previous and stored then
    previous = SUB_BYTES == 0 and redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. stored) + 1
      or rank_of(KEYS[2], member)
  end
  if newer and hide then
    local before = redis.call('HGET', KEYS[5], id)
    if before then
      redis.call('HDEL', KEYS[5], id)
      if before ~= '' then
        local then_score = string.sub(before, SUB_BYTES + 1)
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], then_score, then_score)) do
          if string.sub(m, TIE_BYTES + 1) == id then redis.call('ZREM', KEYS[6], m) end
        end
      end
    end
  elseif newer and redis.call('HSETNX', KEYS[5], id,
      stored and string.sub(member, 1, SUB_BYTES) .. stored or '') == 1 and stored then
    redis.call('ZADD', KEYS[6], stored, member)
  end
  local done = put(KEYS[2], names, id, old, record, score)
  if done then
    if member then redis.call('ZREM', KEYS[7], member) end
    if score then
      local seq = string.sub(record, VERSION_BYTES + 1, RECORD_HEAD)
      redis.call('ZADD', KEYS[7], score, seq .. id)
    end
  end
  if journal then
    local seen = redis.call('HGET', journal, id)
    if not seen or version(seen) < version(record) then
      redis.call('HSET', journal, id, record)
      redis.call('HSET', journal .. 's', id, score or '')
    end
  end
  result[#result + 1] = done and 1 or 0
  result[#result + 1] = previous
  result[#result + 1] = 0
end
for i = 4, #ARGV, 3 do
  local id = ARGV[i]
  local now = redis.call('HGET', names_key(KEYS[3], id), id)
  if now and #now > VERSION_BYTES then
    -- change k (0-based) has ARGV index 4 + 3k, and its rank sits at 1 + 3k + 3: the same
    result[i] = rank_of(KEYS[2], string.sub(now, VERSION_BYTES + 1, RECORD_HEAD) .. id) or 0
  end
end
result[1] = redis.call('ZCARD', KEYS[2])
return result
