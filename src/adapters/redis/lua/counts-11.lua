--[[ Returns {waiting including pre-queue, active, pre-queue}. ]]
local pre = redis.call('ZCARD', KEYS[2])
return {redis.call('ZCARD', KEYS[1]) + pre, redis.call('ZCARD', KEYS[3]), pre}
