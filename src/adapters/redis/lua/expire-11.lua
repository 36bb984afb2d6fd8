--[[
  Active tokens past active_until, and waiting fans who stopped polling, leave.
  ARGV[1] now (ms)  ARGV[2] waiting idle ttl (ms). Returns how many left.
]]
local now = tonumber(ARGV[1])
local n = 0
for _, token in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do n = n + finish(KEYS, token) end
for _, token in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[2]))) do
  n = n + finish(KEYS, token)
end
-- Admissions matter only for the last second's rate window.
redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', '(' .. (now - 1000))
return n
