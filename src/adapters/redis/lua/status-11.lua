--[[
  A token's state; counts as a poll. ARGV[1] token  ARGV[2] now (ms)
  Returns a token description, or an empty array when the token is not live.
]]
local d = describe(KEYS, ARGV[1])
if not d then return {} end
if d[2] == 'ACTIVE' then
  if tonumber(d[4]) <= tonumber(ARGV[2]) then return {} end
else
  redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
end
return d
