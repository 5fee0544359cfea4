-- Starts a new snapshot on the first run of a later day: KEYS[4] the snapshot's day, KEYS[5]
-- to KEYS[7] its sm, st and sn (see the module docstring); ARGV[3] today's day id. Only a later
-- day starts one (ISO dates compare as strings), so a process whose clock lags behind
-- another's around midnight cannot wipe the new day's movement.
local day = redis.call('GET', KEYS[4])
if ARGV[3] ~= '' and (not day or day < ARGV[3]) then
  redis.call('UNLINK', KEYS[5], KEYS[6], KEYS[7])
  redis.call('SET', KEYS[4], ARGV[3])
end
