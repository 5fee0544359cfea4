-- POST score submissions for players picked at random from a file of existing player ids.
-- Usage: wrk ... -s post_scores.lua URL -- IDS_FILE [idempotent]
-- With "idempotent", each request carries an Idempotency-Key that is new every time, so each
-- one is applied (never replayed) and the run shows what claiming and storing a key costs.
-- The Authorization header comes from wrk's -H option (it lands in wrk.headers).

-- random_players.lua, next to this script: setup() and read_player_ids().
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "random_players.lua")

local ids = {}
local prefix = nil  -- set when idempotent
local sent = 0

function init(args)
  ids = read_player_ids(args[1])
  if args[2] == "idempotent" then
    -- Unique across threads and across wrk runs (the warm-up and the measured run).
    prefix = string.format("bench-%d-%d-%d", os.time(), thread_number or 0, math.random(1e9))
  end
end

function request()
  if prefix then
    sent = sent + 1
    wrk.headers["Idempotency-Key"] = prefix .. "-" .. sent
  end
  local id = ids[math.random(#ids)]
  local body = string.format('{"player_id":"%s","score":%d}', id, math.random(0, 1000000))
  return wrk.format(nil, nil, nil, body)
end
