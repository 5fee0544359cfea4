-- POST players lookups: each asks for 20 players picked at random from a file of existing
-- player ids (a friends list).
-- Usage: wrk ... -s post_lookup.lua URL -- IDS_FILE
-- The Authorization header comes from wrk's -H option (it lands in wrk.headers).

-- random_players.lua, next to this script: setup() and read_player_ids().
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "random_players.lua")

local ids = {}
local FRIENDS = 20

function init(args)
  ids = read_player_ids(args[1])
end

function request()
  local picked = {}
  for i = 1, FRIENDS do
    picked[i] = '"' .. ids[math.random(#ids)] .. '"'
  end
  local body = '{"player_ids":[' .. table.concat(picked, ",") .. ']}'
  return wrk.format(nil, nil, nil, body)
end
