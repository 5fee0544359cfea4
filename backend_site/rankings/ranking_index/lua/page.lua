-- A page: KEYS meta, zset, names, then movement_keys(); ARGV start, stop, today, '1' to
-- include each entry's metadata (else '0').
-- Returns false when the board is not loaded, else {total, moving, id1, name1, score1, rank1,
-- rank_change1, subscores1, metadata1, ...}, without the rank changes when moving is 0
-- (nothing moved: all 0), the subscores (the tie key) only on a board with them, and the
-- metadata only when asked.
--#include names_key
--#include loaded_order
--#include moved
local with_metadata = ARGV[4] == '1'
local result = {redis.call('ZCARD', KEYS[2]), moving and 1 or 0}
local rows = redis.call('ZRANGE', KEYS[2], ARGV[1], ARGV[2], 'WITHSCORES')
if #rows == 0 then return result end
local position = tonumber(ARGV[1])
local better = rank_at(KEYS[2], position, rows[2], string.sub(rows[1], 1, SUB_BYTES)) - 1
--#include append_rows
