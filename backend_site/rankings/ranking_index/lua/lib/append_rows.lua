-- Appends {player_id, name, score, rank, rank_change} for each row of a ZRANGE WITHSCORES
-- reply `rows` to `result` and returns it: names from the hashes under KEYS[3]; the score as
-- the caller knows it (times `sign`); competition ranks (1, 1, 3 ...) from
-- `position`, the 0-based position of the first row, and `better`, how many players have a
-- strictly better score than it; rank_change from moved() ('' for a player new since the
-- snapshot). Doing this here keeps the reply flat and ready to serve.
local call, sub = redis.call, string.sub
local n = #result
local rank = better + 1
local previous = rows[2]
local width = moving and 5 or 4
for i = 1, #rows, 2 do
  local id, score = sub(rows[i], SEQ_BYTES + 1), rows[i + 1]
  local record = call('HGET', names_key(KEYS[3], id), id)
  if score ~= previous then
    rank = position + (i + 1) / 2
    previous = score
  end
  result[n + 1] = id
  result[n + 2] = record and sub(record, RECORD_HEAD + 1) or ''
  result[n + 3] = sign * tonumber(score)
  result[n + 4] = rank
  if moving then result[n + 5] = moved(id, score, rank) end
  n = n + width
end
return result
