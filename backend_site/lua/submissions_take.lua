-- KEYS: one sorted set per player, all of one board (one slot). ARGV[1] the limit, ARGV[2]
-- the window in ms, ARGV[3] a name for this call's entries, ARGV[3 + i] the submissions for
-- KEYS[i]. Counts them all, or none if any player would pass the limit. Returns {1 or 0, per
-- key: {entries counted, ms until the new ones would fit (0 if they do)}}. Entries older than
-- the window are dropped only when the set is too full without dropping them (the set lives
-- a window after its last entry, and never holds more than the limit).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window, call = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local found, refused = {}, false
for i, key in ipairs(KEYS) do
  local want = tonumber(ARGV[3 + i])
  local used = redis.call('ZCARD', key)
  local wait = 0
  if used + want > limit then  -- only then do entries older than the window matter
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    used = redis.call('ZCARD', key)
    local over = used + want - limit
    if over > 0 then
      refused, wait = true, window
      if want <= limit then
        local oldest = redis.call('ZRANGE', key, over - 1, over - 1, 'WITHSCORES')
        wait = tonumber(oldest[2]) + window - now
      end
    end
  end
  found[i] = {used, wait}
end
if refused then return {0, found} end
for i, key in ipairs(KEYS) do
  local entries = {}
  for j = 1, tonumber(ARGV[3 + i]) do
    entries[#entries + 1] = now
    entries[#entries + 1] = call .. ':' .. j
    if #entries >= 1000 then redis.call('ZADD', key, unpack(entries)); entries = {} end
  end
  if #entries > 0 then redis.call('ZADD', key, unpack(entries)) end
  redis.call('PEXPIRE', key, window)
end
return {1, found}
