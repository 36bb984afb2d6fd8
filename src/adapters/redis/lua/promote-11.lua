--[[
  Promotes up to ARGV[1] waiting fans in FIFO order. ARGV[2] now (ms)  ARGV[3] active ttl (ms)
  Returns {user, entered_at, token, ...} for each promoted fan.
]]
local out = {}
local now = tonumber(ARGV[2])
local popped
if server_ms() < tonumber(redis.call('HGET', KEYS[6], 'restored_until') or '0') then
  -- Just after Redis lost the queue: only tickets handed out before it, so fans
  -- who entered since cannot pass those who have not polled again yet.
  popped = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', redis.call('HGET', KEYS[6], 'restored_seq'), 'WITHSCORES',
                      'LIMIT', 0, tonumber(ARGV[1]))
  for i = 1, #popped, 2 do redis.call('ZREM', KEYS[1], popped[i]) end
else
  popped = redis.call('ZPOPMIN', KEYS[1], ARGV[1])
end
local active_until = now + tonumber(ARGV[3])
for i = 1, #popped, 2 do
  local token = popped[i]
  redis.call('HSET', KEYS[6], 'serving_seq', popped[i + 1])
  redis.call('ZADD', KEYS[3], active_until, token)
  redis.call('ZREM', KEYS[4], token)
  redis.call('ZADD', KEYS[8], now, token)
  local d = describe(KEYS, token)
  redis.call('ZADD', KEYS[9], popped[i + 1], popped[i + 1] .. '|' .. d[7] .. '|' .. d[5] .. '|' .. ARGV[2])
  log_move(KEYS, 'A|' .. token .. '|' .. active_until)
  table.insert(out, d[7])
  table.insert(out, d[5])
  table.insert(out, token)
end
local excess = redis.call('ZCARD', KEYS[9]) - ADMISSION_LOG_SIZE
if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[9], 0, excess - 1) end
return out
