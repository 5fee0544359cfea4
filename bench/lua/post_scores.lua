-- POST score submissions for players picked at random from a file of existing player ids.
-- Usage: wrk ... -s post_scores.lua URL -- IDS_FILE
-- The Authorization header comes from wrk's -H option (it lands in wrk.headers).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local ids = {}

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() * 1000 + (thread_number or 0))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local id = ids[math.random(#ids)]
  local body = string.format('{"player_id":"%s","score":%d}', id, math.random(0, 1000000))
  return wrk.format(nil, nil, nil, body)
end
