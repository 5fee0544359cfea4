-- POST batches of score submissions, each item for a player picked at random from a file.
-- Usage: wrk ... -s post_batch.lua URL -- IDS_FILE [ITEMS_PER_BATCH (500)] [BOARD (global)]
-- The Authorization header comes from wrk's -H option (it lands in wrk.headers).

-- random_players.lua, next to this script: setup() and read_player_ids().
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "random_players.lua")

local ids = {}
local items_per_batch = 500
local board = "global"

function init(args)
  ids = read_player_ids(args[1])
  items_per_batch = tonumber(args[2] or "500")
  board = args[3] or "global"
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
