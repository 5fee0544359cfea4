-- post_scores.lua with an Idempotency-Key header that is new on every request, so each one
-- is applied (never replayed) and the run shows what claiming and storing a key costs.
-- Usage: wrk ... -s post_scores_idempotent.lua URL -- IDS_FILE

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local ids = {}
local prefix = ""
local sent = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() * 1000 + (thread_number or 0))
  -- Unique across threads and across wrk runs (the warm-up and the measured run).
  prefix = string.format("bench-%d-%d-%d", os.time(), thread_number or 0, math.random(1e9))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  wrk.headers["Idempotency-Key"] = prefix .. "-" .. sent
  local id = ids[math.random(#ids)]
  local body = string.format('{"player_id":"%s","score":%d}', id, math.random(0, 1000000))
  return wrk.format(nil, nil, nil, body)
end
