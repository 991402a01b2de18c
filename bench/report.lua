-- wrk script: count answers that are not 2xx (wrk itself only counts >= 400 as errors, so a
-- redirect to the sign-in page would pass unnoticed), optionally take turns over several paths
-- (BENCH_PATHS, separated by spaces), and print machine-readable totals for bench/wrk.py.
local threads = {}
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "", "%S+") do
  table.insert(paths, path)
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  answered = 0
  first_bad = ""
end

function response(status, headers, body)
  answered = answered + 1
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. (headers["Location"] or "")
    end
  end
end

if #paths > 0 then
  local turn = 0
  function request()
    turn = turn % #paths + 1
    return wrk.format("GET", paths[turn])
  end
end

function done(summary, latency, requests)
  local non_2xx = 0
  local example = ""
  for _, thread in ipairs(threads) do
    non_2xx = non_2xx + thread:get("bad")
    if example == "" then
      example = thread:get("first_bad")
    end
  end
  local errors = summary.errors
  io.write(string.format("BENCH requests %d\n", summary.requests))
  io.write(string.format("BENCH duration_us %d\n", summary.duration))
  io.write(string.format("BENCH non_2xx %d\n", non_2xx))
  io.write(string.format("BENCH socket_errors %d\n",
    errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("BENCH p50_us %d\n", latency:percentile(50)))
  io.write(string.format("BENCH p99_us %d\n", latency:percentile(99)))
  io.write(string.format("BENCH first_bad %s\n", example))
end
