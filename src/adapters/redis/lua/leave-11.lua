--[[ A fan leaves. ARGV[1] token  ARGV[2] user. Returns 1 if it was the user's live token. ]]
local info = redis.call('HGET', KEYS[7], ARGV[1])
if not info or split_record(info) ~= ARGV[2] then return 0 end
return finish(KEYS, ARGV[1])
