-- POST batches of score submissions, each item for a player picked at random from a file.
-- Usage: wrk ... -s post_batch.lua URL -- IDS_FILE [ITEMS_PER_BATCH (500)] [BOARD (global)]
-- The Authorization header comes from wrk's -H option (it lands in wrk.headers).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local ids = {}
local items_per_batch = 500
local board = "global"

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  items_per_batch = tonumber(args[2] or "500")
  board = args[3] or "global"
  math.randomseed(os.time() * 1000 + (thread_number or 0))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local items = {}
  for i = 1, items_per_batch do
    items[i] = string.format(
      '{"leaderboard":"%s","player_id":"%s","score":%d}',
      board, ids[math.random(#ids)], math.random(0, 1000000)
    )
  end
  return wrk.format(nil, nil, nil, '{"scores":[' .. table.concat(items, ",") .. ']}')
end
