-- Appends {player_id, name, score, rank, rank_change, metadata} for each row of a ZRANGE
-- WITHSCORES reply `rows` to `result` and returns it (rank_change only when `moving`,
-- metadata only when `with_metadata`): names from the hashes under KEYS[3]; the score as
-- the caller knows it (times `sign`); competition ranks (1, 1, 3 ...) from
-- `position`, the 0-based position of the first row, and `better`, how many players have a
-- strictly better score than it; rank_change from moved() ('' for a player new since the
-- snapshot). Doing this here keeps the reply flat and ready to serve.
--#include record_parts
local call, sub = redis.call, string.sub
local n = #result
local rank = better + 1
local previous = rows[2]
local width = (moving and 5 or 4) + (with_metadata and 1 or 0)
for i = 1, #rows, 2 do
  local id, score = sub(rows[i], SEQ_BYTES + 1), rows[i + 1]
  local record = call('HGET', names_key(KEYS[3], id), id)
  if score ~= previous then
    rank = position + (i + 1) / 2
    previous = score
  end
  result[n + 1] = id
  local name, metadata = '', ''
  if record then name, metadata = record_parts(record) end
  result[n + 2] = name
  result[n + 3] = sign * tonumber(score)
  result[n + 4] = rank
  if moving then result[n + 5] = moved(id, score, rank) end
  if with_metadata then result[n + width] = metadata end
  n = n + width
end
return result
