-- wrk script for bench/wechat_throughput.py: send each pre-generated WeChat push exactly once.
--
-- wrk -s bench/requests.lua URL -- REQUESTS_FILE
-- REQUESTS_FILE has one request a line: "<path?query>\t<body>". Thread i of n sends lines
-- i, i+n, i+2n, ... so no two threads send the same message. A thread that runs out starts
-- again (those would be retries, not new messages) and says so in the summary: the caller
-- must then generate more requests. Every response is checked: 200 with an XML body.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  local n = tonumber(args[2])
  paths, bodies = {}, {}
  local line_no = 0
  for line in file:lines() do
    if line_no % n == id then
      local tab = string.find(line, "\t", 1, true)
      table.insert(paths, string.sub(line, 1, tab - 1))
      table.insert(bodies, string.sub(line, tab + 1))
    end
    line_no = line_no + 1
  end
  file:close()
  available, next_index, wrapped, good, bad = #paths, 1, 0, 0, 0
  headers = { ["Content-Type"] = "text/xml" }
end

function request()
  if next_index > #paths then
    next_index, wrapped = 1, wrapped + 1
  end
  local i = next_index
  next_index = next_index + 1
  return wrk.format("POST", paths[i], headers, bodies[i])
end

function response(status, _headers, body)
  if status == 200 and string.sub(body, 1, 5) == "<xml>" then
    good = good + 1
  else
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write("bad response " .. status .. ": " .. string.sub(body, 1, 80) .. "\n")
    end
  end
end

function done(summary, latency, _requests)
  local wrapped_total, good_total, bad_total, available = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    wrapped_total = wrapped_total + thread:get("wrapped")
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    available = available + thread:get("available")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d "
      .. "connect=%d read=%d write=%d timeout=%d good=%d bad=%d wrapped=%d available=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout,
    good_total, bad_total, wrapped_total, available))
end
