-- Several players' entries at once: KEYS meta, zset, names, then movement_keys();
-- ARGV count (of ids), '1' to include metadata (else '0'), today, then the player ids.
-- Returns false when the board is not loaded, else {total, moving, then per player found,
-- in the order asked: id, name, score, rank, worse, position, rank_change, subscores,
-- metadata} (without the rank change when moving is 0, as in page.lua, the subscores (tie
-- key) only on a board with them, and the metadata only when asked). A player with no entry
-- is left out.
-- O(k log N) for k ids: each is a hash read and three sorted-set lookups (on a board with
-- subscores, and a probe or two for the players of the same tuple: ties.lua).
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
      local key = sub(member, 1, SUB_BYTES)
      local rank = rank_at(KEYS[2], position, score, key)
      result[n + 1] = id
      local name, metadata = record_parts(own)
      result[n + 2] = name
      result[n + 3] = sign * tonumber(score)
      result[n + 4] = rank
      result[n + 5] = worse_at(KEYS[2], position, score, key)
      result[n + 6] = position
      n = n + 6
      if moving then
        result[n + 1] = moved(id, score, key, rank)
        n = n + 1
      end
      if SUB_BYTES > 0 then
        result[n + 1] = key
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
