-- wrk script for the paced row of bench/proxy/run.sh: each connection waits PACE_MS (default 4)
-- after every answer before it sends its next request, so the offered load is fixed
-- (~connections / (PACE_MS + latency) per second) and equal for both proxies, below saturation.
local pace = tonumber(os.getenv("PACE_MS") or "4")

function delay()
  return pace
end
