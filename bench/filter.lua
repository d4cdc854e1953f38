-- wrk script for bench/http.sh: POSTs the ExtenderArgs body in the file named after `--` to the
-- URL's path (/filter), and ends with one machine-readable RESULT line.
--   wrk -t2 -c32 -d10s -s bench/filter.lua http://127.0.0.1:PORT/filter -- args-100-nodenames.json

function init(args)
  local file = assert(io.open(args[1], "rb"), "usage: ... -- BODY_FILE")
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
