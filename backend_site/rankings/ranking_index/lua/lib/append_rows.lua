-- Appends {player_id, name, score, rank, rank_change, subscores, metadata} for each row of a
-- ZRANGE WITHSCORES reply `rows` to `result` and returns it (rank_change only when
-- `moving`, the tie key as subscores only on a board with them, metadata only when
-- `with_metadata`): names from the hashes under KEYS[3]; the score as the caller knows it
-- (times `sign`); competition ranks (1, 1, 3 ...) from `position`, the 0-based position of
-- the first row, and `better`, how many players rank strictly before it (equal scores and
-- equal keys tie); rank_change from moved() ('' for a player new since the snapshot).
-- Doing this here keeps the reply flat and ready to serve.
--#include record_parts
local call, sub = redis.call, string.sub
local n = #result
local rank = better + 1
local previous, previous_key = rows[2], sub(rows[1], 1, SUB_BYTES)
local width = (moving and 5 or 4) + (SUB_BYTES > 0 and 1 or 0) + (with_metadata and 1 or 0)
for i = 1, #rows, 2 do
  local id, score = sub(rows[i], TIE_BYTES + 1), rows[i + 1]
  local key = sub(rows[i], 1, SUB_BYTES)
  local record = call('HGET', names_key(KEYS[3], id), id)
  if score ~= previous or key ~= previous_key then
    rank = position + (i + 1) / 2
    previous, previous_key = score, key
  end
  result[n + 1] = id
  local name, metadata = '', ''
  if record then name, metadata = record_parts(record) end
  result[n + 2] = name
  result[n + 3] = sign * tonumber(score)
  result[n + 4] = rank
  if moving then result[n + 5] = moved(id, score, key, rank) end
  if SUB_BYTES > 0 then result[n + (moving and 6 or 5)] = key end
  if with_metadata then result[n + width] = metadata end
  n = n + width
end
return result
