-- The board's order (and the sign its scores are stored with) and its tie width when it is
-- loaded in this layout; else the script returns false (KEYS[1] is the meta).
--#include ties
local meta = redis.call('HMGET', KEYS[1], 'order', 'layout', 'subscores')
if meta[2] ~= LAYOUT then return false end
local order = meta[1]
local sign = order == 'desc' and -1 or 1  -- 'desc' boards store scores negated
ties_width(meta[3])
