-- wrk script of bench/tasks/run.sh: POSTs a small JSON body (a task's parameters) with the
-- tenant's API key (env API_KEY) and counts the answers by status, so that "accepted" means 202s
-- and nothing else. done() prints one line: accepted=N other=N codes=... seconds=S p99_ms=X
local key = os.getenv("API_KEY") or ""
wrk.method = "POST"
wrk.body = '{"city":"lisbon","depth":3}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = key

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts, accepted, other = {}, 0, 0
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local codes = {}
  for code, n in pairs(counts) do
    if code == 202 then accepted = accepted + n else other = other + n end
    table.insert(codes, code .. ":" .. n)
  end
  table.sort(codes)
  io.write(string.format("accepted=%d other=%d codes=%s errors=%d seconds=%.3f p99_ms=%.2f\n",
    accepted, other, table.concat(codes, ","),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(99) / 1000))
end
