--[[
  A token's state; counts as a poll. ARGV[1] token  ARGV[2] now (ms)  ARGV[3] user
  (the signed ticket's)  ARGV[4] re-seat 0|1
  Returns a token description, or an empty array when the token is not live.
  With re-seat, a numbered ticket handed out before Redis lost the queue
  (restore-11.lua's restored_seq) that is still ahead of the serving counter takes
  its place again at its own number, once, so its fan is never sent behind fans
  who entered later; one an instance saw admitted gets its session back until its
  active_until; a ticket that ended normally (left, idle, used) is not brought back. The caller only asks that for a ticket whose signature it verified.
]]
local d = describe(KEYS, ARGV[1])
if not d and ARGV[4] == '1' and string.sub(ARGV[1], 1, 1) == 'w' then
  local seq = tonumber(string.sub(ARGV[1], 2))
  local serving = tonumber(redis.call('HGET', KEYS[6], 'serving_seq') or '0')
  local restored = tonumber(redis.call('HGET', KEYS[6], 'restored_seq') or '0')
  local until_ms = tonumber(redis.call('HGET', KEYS[6], 'a:' .. ARGV[1]) or '0')
  local admitted = seq and seq <= serving and until_ms > tonumber(ARGV[2])
  if seq and (seq > serving or admitted) and seq <= restored and not redis.call('HGET', KEYS[5], ARGV[3]) and
      redis.call('HSETNX', KEYS[6], 'r:' .. ARGV[1], '1') == 1 then
    if admitted then
      redis.call('ZADD', KEYS[3], until_ms, ARGV[1])
      log_move(KEYS, 'A|' .. ARGV[1] .. '|' .. until_ms)  -- every instance's snapshot learns it
    else
      redis.call('ZADD', KEYS[1], seq, ARGV[1])
    end
    redis.call('HSET', KEYS[7], ARGV[1], ARGV[3] .. '|' .. ARGV[2])
    redis.call('HSET', KEYS[5], ARGV[3], ARGV[1])
    if seq > tonumber(redis.call('HGET', KEYS[6], 'last_seq') or '0') then
      redis.call('HSET', KEYS[6], 'last_seq', seq)
    end
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
