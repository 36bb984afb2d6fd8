--[[
  The admission log after a sequence number, in promotion (= seq) order.
  ARGV[1] after seq  ARGV[2] limit
  Returns "<seq>|<user>|<entered_at>|<admitted_at>" entries.
]]
return redis.call('ZRANGEBYSCORE', KEYS[9], '(' .. ARGV[1], '+inf', 'LIMIT', 0, tonumber(ARGV[2]))
