--[[
  A token's state; counts as a poll. ARGV[1] token  ARGV[2] now (ms)  ARGV[3] user
  (the signed ticket's; the caller verified its signature)
  Returns a token description, or an empty array when the token is not live.
  A ticket handed out before Redis lost the queue takes its place again, once: a
  waiting one at its own number (so its fan is never sent behind fans who entered
  later), a pre-queue one in the pre-queue or at its drawn place (lost_place), one
  an instance saw admitted its session until the active_until it saw.
]]
local d = describe(KEYS, ARGV[1])
if not d then
  local seq, until_ms = lost_ticket(KEYS, ARGV[1], ARGV[3], ARGV[2])
  if seq then
    redis.call('HSET', KEYS[6], 'r:' .. ARGV[1], '1')
    if until_ms then
      redis.call('ZADD', KEYS[3], until_ms, ARGV[1])
      log_move(KEYS, 'A|' .. ARGV[1] .. '|' .. until_ms)  -- every instance's snapshot learns it
    elseif seq == 0 then
      redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
    else
      redis.call('ZADD', KEYS[1], seq, ARGV[1])
    end
    redis.call('HSET', KEYS[7], ARGV[1], ARGV[3] .. '|' .. ARGV[2])
    redis.call('HSET', KEYS[5], ARGV[3], ARGV[1])
    d = describe(KEYS, ARGV[1])
  end
end
if not d then return {} end
if d[2] == 'ACTIVE' then
  if tonumber(d[4]) <= tonumber(ARGV[2]) then return {} end
else
  redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
end
return d
