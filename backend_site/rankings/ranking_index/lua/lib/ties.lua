-- A board's tie-break columns (layout.py): SUB_BYTES, the bytes of the tie key that starts
-- every member and record tie (8 per subscore column; 0 on a board without any), and
-- TIE_BYTES and RECORD_HEAD, which follow from it. ties_width(columns) sets them from the
-- meta's 'subscores' (a script reads it before it splits a member or a record).
-- Competition ranks with subscores: equal scores are told apart by their members' keys,
-- which ZRANGE sorts bytewise within a score. Without subscores each count below is the one
-- ZCOUNT it always was.
-- * rank_at(z, index, score, key) and worse_at(z, index, score, key), for the member at
--   `index` (of stored `score` and tie key `key`): its competition rank, and how many rank
--   strictly after it. The members of its very tuple sit next to it, so the first (last)
--   of them is found by galloping from `index`: O(log d) probes of O(log N) each, for d
--   players of the same score and subscores (1 probe when it has the tuple alone).
-- * better(z, score, key): how many members rank strictly before any entry of `score` and
--   `key`, in z or not (a player's place at the snapshot): the run of `score` is halved
--   until the first key not below `key`, log2 of the run's length probes.
local function ties_width(columns)
  SUB_BYTES = 8 * (tonumber(columns) or 0)
  TIE_BYTES = SUB_BYTES + SEQ_BYTES
  RECORD_HEAD = VERSION_BYTES + TIE_BYTES
end
-- a < b for keys of equal length, byte by byte (Lua's own < compares with the C locale's
-- strcoll, which Redis sets from its environment)
local function key_below(a, b)
  if a == b then return false end
  local byte = string.byte
  for i = 1, #a do
    local x, y = byte(a, i), byte(b, i)
    if x ~= y then return x < y end
  end
  return false
end
local function key_of(z, index)
  return string.sub(redis.call('ZRANGE', z, index, index)[1], 1, SUB_BYTES)
end
-- the first index in [lo, hi) whose member's key is not below `key`
local function run_cut(z, lo, hi, key)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if key_below(key_of(z, mid), key) then lo = mid + 1 else hi = mid end
  end
  return lo
end
local function better(z, score, key)
  local n = redis.call('ZCOUNT', z, '-inf', '(' .. score)
  if SUB_BYTES == 0 then return n end
  local run = redis.call('ZCOUNT', z, score, score)
  if run == 0 then return n end
  return run_cut(z, n, n + run, key)
end
-- the outermost index of `key`'s members from `index` towards `bound` (step -1 or 1), which
-- the run of the score ends at: gallop out while the key holds, then halve the last gap
local function tuple_end(z, index, key, bound, step)
  local known, jump, past = index, 1, bound + step
  while true do
    local probe = known + jump * step
    if (probe - bound) * step > 0 then break end
    if key_of(z, probe) ~= key then past = probe break end
    known, jump = probe, jump * 2
  end
  while (past - known) * step > 1 do
    local mid = known + math.floor((past - known) * step / 2) * step
    if key_of(z, mid) == key then known = mid else past = mid end
  end
  return known
end
local function rank_at(z, index, score, key)
  local n = redis.call('ZCOUNT', z, '-inf', '(' .. score)
  if SUB_BYTES == 0 then return n + 1 end
  return tuple_end(z, index, key, n, -1) + 1
end
local function worse_at(z, index, score, key)
  local n = redis.call('ZCOUNT', z, '(' .. score, '+inf')
  if SUB_BYTES == 0 then return n end
  local last = redis.call('ZCARD', z) - n - 1
  return n + last - tuple_end(z, index, key, last, 1)
end
