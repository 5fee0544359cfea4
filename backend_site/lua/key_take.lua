-- KEYS[1] the key's bucket. ARGV: rate (tokens a second), burst, tokens wanted.
-- The bucket is its "theoretical arrival time" (GCRA), in microseconds of Redis's clock: the
-- moment it would be full again. Returns {granted, remaining, µs until one is free, µs until
-- full}; granted is between 0 and the tokens wanted.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local interval = 1000000 / rate
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local free = math.floor(burst - (tat - now) / interval + 1e-6)
local granted = math.min(want, free)
if granted < 1 then
  return {0, 0, math.ceil(tat - (burst - 1) * interval - now), math.ceil(tat - now)}
end
tat = tat + granted * interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
return {granted, math.floor(burst - (tat - now) / interval + 1e-6), 0, math.ceil(tat - now)}
