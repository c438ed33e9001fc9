-- Token buckets shared by every gateway node (RateLimiter): one request takes a token from each
-- bucket in KEYS, or from none when any holds less than one. Atomic because Redis runs a script
-- whole. Time is the Redis server's, so the nodes' clocks need not agree.
-- ARGV, three per key: tokens added per second, capacity (whole tokens), key lifetime (ms).
-- Returns {allowed (1/0), tokens left in each bucket as a decimal string}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tokens = {}
local allowed = 1
for i = 1, #KEYS do
  local perMicro = tonumber(ARGV[3 * i - 2]) / 1000000
  local capacity = tonumber(ARGV[3 * i - 1])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local held = tonumber(state[1])
  local at = tonumber(state[2])
  if held == nil or at == nil then
    held = capacity
    at = now
  end
  if now > at then
    held = held + (now - at) * perMicro
  end
  if held > capacity then
    held = capacity
  end
  tokens[i] = held
  if held < 1 then
    allowed = 0
  end
end
local out = {allowed}
for i = 1, #KEYS do
  if allowed == 1 then
    tokens[i] = tokens[i] - 1
  end
  redis.call('HSET', KEYS[i], 'tokens', string.format('%.6f', tokens[i]), 'at', string.format('%.0f', now))
  redis.call('PEXPIRE', KEYS[i], ARGV[3 * i])
  out[i + 1] = string.format('%.6f', tokens[i])
end
return out
