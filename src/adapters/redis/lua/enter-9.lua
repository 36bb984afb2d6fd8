--[[
  Joins the queue, or returns the fan's live token (entering twice is the same).
  ARGV[1] user  ARGV[2] now (ms)  ARGV[3] pre_open 0|1  ARGV[4] new token
  ARGV[5] max tokens of the schedule  ARGV[6] seed for drawing the pre-queue
  Returns a token description plus created 0|1; error QUEUE_FULL.
]]
if ARGV[3] == '0' then draw(KEYS, ARGV[6]) end
local existing = redis.call('HGET', KEYS[5], ARGV[1])
if existing then
  local d = describe(KEYS, existing)
  if d then
    if d[2] ~= 'ACTIVE' then redis.call('ZADD', KEYS[4], ARGV[2], existing) end
    table.insert(d, '0')
    return d
  end
end
if redis.call('HLEN', KEYS[7]) >= tonumber(ARGV[5]) then return redis.error_reply('QUEUE_FULL') end
local token = ARGV[4]
redis.call('HSET', KEYS[7], token, ARGV[1] .. '|' .. ARGV[2])
redis.call('HSET', KEYS[5], ARGV[1], token)
redis.call('ZADD', KEYS[4], ARGV[2], token)
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[2], ARGV[2], token)
else
  redis.call('ZADD', KEYS[1], redis.call('HINCRBY', KEYS[6], 'last_seq', 1), token)
end
local d = describe(KEYS, token)
table.insert(d, '1')
return d
