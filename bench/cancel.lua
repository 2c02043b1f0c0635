-- wrk script for bench/run.sh: each request cancels a meal through the family area, as a signed-in
-- family would (POST /esempio/famiglie/pasti/disdici with the session cookie and its CSRF token).
-- The families, their sessions and the school days come from `bench_cutoff --families`:
--
--   wrk -s bench/cancel.lua URL -- FILE THREADS [warmup]
--
-- FILE: first line the school days ("YYYY-MM-DD ..."), then "<cookie> <csrf> <pupil>" per family.
-- Request k of all threads cancels pupil k mod N on day k div N: distinct pupils first, then the
-- next day for each, so no two requests make the same change until every pair has been used.
-- With "warmup" the days are taken from the last one backwards, so a warm-up run does not use
-- the changes of the measured run that follows it.

local path = "/esempio/famiglie/pasti/disdici"
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local file = args[1]
  nthreads = tonumber(args[2]) or 1
  warmup = args[3] == "warmup"
  families = {}
  days = {}
  for line in io.lines(file) do
    if #days == 0 then
      for day in line:gmatch("%S+") do
        days[#days + 1] = day
      end
    else
      local token, csrf, pupil = line:match("^(%S+) (%S+) (%d+)$")
      if token then
        families[#families + 1] = { token = token, csrf = csrf, pupil = pupil }
      end
    end
  end
  sent = 0
end

function request()
  local k = sent * nthreads + id
  sent = sent + 1
  local f = families[(k % #families) + 1]
  local d = math.floor(k / #families) % #days
  local day = days[(warmup and #days - d or d + 1)]
  local body = "csrf=" .. f.csrf .. "&alunno=" .. f.pupil .. "&cancel_from=" .. day ..
      "&request_key=bench-" .. (warmup and "w" or "m") .. id .. "-" .. sent
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "sid=" .. f.token,
  }, body)
end
