--[[
  Joins the queue, or returns the fan's live token (entering twice is the same).
  ARGV[1] user  ARGV[2] now (ms)  ARGV[3] pre_open 0|1
  ARGV[4] max tokens of the schedule  ARGV[5] seed for drawing the pre-queue
  ARGV[6] last_seq, ARGV[7] serving_seq and ARGV[8] pre_count as the calling
  instance last saw them
  Returns a token description plus created 0|1; error QUEUE_FULL.
]]
-- Redis lost the queue and no refresh has restored it yet (restore-11.lua): the
-- counters are raised first, so this fan is never numbered like a ticket already
-- handed out. The refresh that notices the loss restores the rest.
raise_floors(KEYS, ARGV[6], ARGV[7], ARGV[8])
-- Once the order is drawn (perhaps by an instance whose clock is ahead), late
-- pre-queue entrants are numbered like everyone else.
local pre_open = ARGV[3] == '1' and redis.call('HGET', KEYS[6], 'drawn') ~= '1'
if not pre_open then draw(KEYS, ARGV[5]) end
local existing = redis.call('HGET', KEYS[5], ARGV[1])
if existing then
  local d = describe(KEYS, existing)
  if d then
    if d[2] ~= 'ACTIVE' then redis.call('ZADD', KEYS[4], ARGV[2], existing) end
    table.insert(d, '0')
    return d
  end
end
if redis.call('HLEN', KEYS[7]) >= tonumber(ARGV[4]) then return redis.error_reply('QUEUE_FULL') end
local token
if pre_open then
  token = 'p' .. redis.call('HINCRBY', KEYS[6], 'pre_count', 1)
  redis.call('ZADD', KEYS[2], ARGV[2], token)
else
  local seq = redis.call('HINCRBY', KEYS[6], 'last_seq', 1)
  token = 'w' .. seq
  redis.call('ZADD', KEYS[1], seq, token)
end
redis.call('HSET', KEYS[7], token, ARGV[1] .. '|' .. ARGV[2])
redis.call('HSET', KEYS[5], ARGV[1], token)
redis.call('ZADD', KEYS[4], ARGV[2], token)
local d = describe(KEYS, token)
table.insert(d, '1')
return d
