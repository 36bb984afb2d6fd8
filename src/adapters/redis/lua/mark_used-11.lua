--[[ The fan paid: their ACTIVE token frees its slot. ARGV[1] user. Returns 1 if one was freed. ]]
local token = redis.call('HGET', KEYS[5], ARGV[1])
if token and redis.call('ZSCORE', KEYS[3], token) then return finish(KEYS, token) end
return 0
