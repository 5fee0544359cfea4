-- Delete a board's keys (live or built aside): KEYS meta, zset, names prefix, then any other
-- keys of the board (its movement_keys()); ARGV buckets.
redis.call('UNLINK', KEYS[1], KEYS[2], unpack(KEYS, 4))
for bucket = 0, tonumber(ARGV[1]) - 1 do redis.call('UNLINK', KEYS[3] .. bucket) end
return 1
