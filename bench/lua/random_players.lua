-- What the POST scripts share: each thread's number, the player ids read from a file, random
-- numbers seeded apart per thread, and a JSON POST. Loaded with dofile from the scripts.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

-- The non-empty lines of the ids file; also seeds math.random and makes each request a POST.
function read_player_ids(path)
  local ids = {}
  for line in io.lines(path) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() * 1000 + (thread_number or 0))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  return ids
end
