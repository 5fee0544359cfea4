-- Several players' entries at once: KEYS meta, zset, names, then movement_keys();
-- ARGV count (of ids), '1' to include metadata (else '0'), today, then the player ids.
-- Returns false when the board is not loaded, else {total, moving, then per player found,
-- in the order asked: id, name, score, rank, worse, position, rank_change, metadata}
-- (without the rank change when moving is 0, as in page.lua, and without the metadata
-- unless asked). A player with no entry is left out.
-- O(k log N) for k ids: each is a hash read and three sorted-set lookups.
--#include names_key
--#include loaded_order
--#include moved
--#include record_parts
local with_metadata = ARGV[2] == '1'
local call, sub = redis.call, string.sub
local result = {call('ZCARD', KEYS[2]), moving and 1 or 0}
local n = #result
for i = 4, 3 + tonumber(ARGV[1]) do
  local id = ARGV[i]
  local own = call('HGET', names_key(KEYS[3], id), id)
  if own and #own > VERSION_BYTES then
    local member = sub(own, VERSION_BYTES + 1, RECORD_HEAD) .. id
    local position = call('ZRANK', KEYS[2], member)
    if position then
      local score = call('ZSCORE', KEYS[2], member)
      local rank = call('ZCOUNT', KEYS[2], '-inf', '(' .. score) + 1
      result[n + 1] = id
      local name, metadata = record_parts(own)
      result[n + 2] = name
      result[n + 3] = sign * tonumber(score)
      result[n + 4] = rank
      result[n + 5] = call('ZCOUNT', KEYS[2], '(' .. score, '+inf')
      result[n + 6] = position
      n = n + 6
      if moving then
        result[n + 1] = moved(id, score, rank)
        n = n + 1
      end
      if with_metadata then
        result[n + 1] = metadata
        n = n + 1
      end
    end
  end
end
return result
