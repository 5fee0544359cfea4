-- Keep a ranking only ``seconds`` more: KEYS meta, zset, names prefix, then its movement
-- keys; ARGV buckets, seconds. The meta goes first (a minute before the rest), so a ranking
-- never reads as loaded with its entries gone: the next read after that loads it again.
local seconds = tonumber(ARGV[2])
redis.call('EXPIRE', KEYS[1], seconds)
redis.call('EXPIRE', KEYS[2], seconds + 60)
for bucket = 0, tonumber(ARGV[1]) - 1 do redis.call('EXPIRE', KEYS[3] .. bucket, seconds + 60) end
for i = 4, #KEYS do redis.call('EXPIRE', KEYS[i], seconds + 60) end
return 1
