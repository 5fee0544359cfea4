-- GETs of a random player's page: args[1] is the number of players (seed's ids p0000001 to
-- pN), args[2] the path with %s for the id, e.g. /players/%s/ or
-- /api/v1/leaderboards/global/players/%s. Each thread seeds its own random numbers.

-- random_players.lua, next to this script: setup(), which numbers the threads.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "random_players.lua")

local players = 1000
local template = "/players/%s/"

function init(args)
  players = tonumber(args[1]) or players
  template = args[2] or template
  math.randomseed(os.time() * 1000 + (thread_number or 0))
end

function request()
  local id = string.format("p%07d", math.random(1, players))
  return wrk.format("GET", string.format(template, id))
end
