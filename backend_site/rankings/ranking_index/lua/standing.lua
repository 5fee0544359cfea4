-- A player's standing and the window around it: KEYS meta, zset, names, then movement_keys();
-- ARGV player_id, around, today, '1' to include metadata (else '0').
-- Returns false when the board is not loaded, {} when the player has no score, else
-- {total, name, score, rank, worse, rank_change, moving, [subscores,] [metadata,] id1,
-- name1, score1, rank1, rank_change1, [subscores1,] [metadata1,] ...} (the rows without
-- their rank changes when moving is 0, as in page.lua; the subscores (tie keys) only on a
-- board with them; the player's and the rows' metadata only when asked).
--#include names_key
--#include loaded_order
--#include moved
--#include record_parts
local with_metadata = ARGV[4] == '1'
local own = redis.call('HGET', names_key(KEYS[3], ARGV[1]), ARGV[1])
if not own or #own <= VERSION_BYTES then return {} end
local member = string.sub(own, VERSION_BYTES + 1, RECORD_HEAD) .. ARGV[1]
local index = redis.call('ZRANK', KEYS[2], member)
if not index then return {} end
local score = redis.call('ZSCORE', KEYS[2], member)
local total = redis.call('ZCARD', KEYS[2])
local around = tonumber(ARGV[2])
local position = math.max(0, index - around)
local stop = math.min(total - 1, position + 2 * around)
position = math.max(0, stop - 2 * around)
local own_key = string.sub(member, 1, SUB_BYTES)
local own_rank = rank_at(KEYS[2], index, score, own_key)
local own_name, own_metadata = record_parts(own)
local result = {total, own_name,
  sign * tonumber(score), own_rank,
  worse_at(KEYS[2], index, score, own_key),
  moved(ARGV[1], score, own_key, own_rank), moving and 1 or 0}
if SUB_BYTES > 0 then result[#result + 1] = own_key end
if with_metadata then result[#result + 1] = own_metadata end
local rows = redis.call('ZRANGE', KEYS[2], string.format('%d', position),
  string.format('%d', stop), 'WITHSCORES')
local better = rank_at(KEYS[2], position, rows[2], string.sub(rows[1], 1, SUB_BYTES)) - 1
--#include append_rows
