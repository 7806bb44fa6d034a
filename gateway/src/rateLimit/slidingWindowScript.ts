// The Lua script behind RedisRateLimitStore: one EVALSHA per operation checks every limit, then records all
// or nothing. Redis runs a script atomically, so concurrent operations from any number of gateway
// instances are serialized exactly like the in-memory store's synchronous consume.
//
// Algorithm: a sliding log per key (a sorted set of hit timestamps, score = epoch ms). It is exact ("at most
// `max` hits in any `windowMs`"), which is what the directive promises; memory is O(max) per key, small for
// per-field limits. Keys expire with their window (PEXPIRE on every write).
//
// KEYS[i]  one sorted set per check
// ARGV[1]  now, epoch ms (the caller's clock; gateway hosts are expected to run NTP)
// ARGV[2]  a unique operation id, so members from different operations in the same millisecond never collide
// ARGV[3i], ARGV[3i+1], ARGV[3i+2]  max, windowMs, cost of check i
// Returns {allowed(0|1), remaining_1, resetMs_1, retryAfterMs_1, remaining_2, ...}
import { createHash } from 'node:crypto';

export const SLIDING_WINDOW_LUA = `
local now = tonumber(ARGV[1])
local op = ARGV[2]
local n = #KEYS
local counts = {}
local allowed = 1
for i = 1, n do
  local max = tonumber(ARGV[3 * i])
  local window = tonumber(ARGV[3 * i + 1])
  local cost = tonumber(ARGV[3 * i + 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  counts[i] = count
  if count + cost > max then allowed = 0 end
end
local out = { allowed }
for i = 1, n do
  local max = tonumber(ARGV[3 * i])
  local window = tonumber(ARGV[3 * i + 1])
  local cost = tonumber(ARGV[3 * i + 2])
  local count = counts[i]
  local remaining = 0
  local retry = 0
  if allowed == 1 then
    -- ZADD in batches of 500 members: a charge of many calls (a limited field under a list) costs a few
    -- commands, not one per call, and stays under Lua's unpack() limit.
    local batch = {}
    for j = 1, cost do
      batch[#batch + 1] = now
      batch[#batch + 1] = op .. ':' .. i .. ':' .. j
      if #batch >= 1000 then
        redis.call('ZADD', KEYS[i], unpack(batch))
        batch = {}
      end
    end
    if #batch > 0 then redis.call('ZADD', KEYS[i], unpack(batch)) end
    redis.call('PEXPIRE', KEYS[i], window)
    remaining = max - count - cost
  else
    remaining = math.max(0, max - count)
    if count + cost <= max then
      retry = 0
    elseif cost > max then
      retry = window
    else
      local idx = count + cost - max - 1
      local deciding = redis.call('ZRANGE', KEYS[i], idx, idx, 'WITHSCORES')
      retry = math.max(1, tonumber(deciding[2]) + window - now)
    end
  end
  local reset = 0
  local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if oldest[2] then reset = math.max(0, tonumber(oldest[2]) + window - now) end
  out[#out + 1] = remaining
  out[#out + 1] = reset
  out[#out + 1] = retry
end
return out
`;

export const SLIDING_WINDOW_SHA1 = createHash('sha1').update(SLIDING_WINDOW_LUA).digest('hex');
