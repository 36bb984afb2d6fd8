--[[ A fan leaves. ARGV[1] token  ARGV[2] user
  Returns 1 if it was the user's live token, or a ticket Redis lost that now may
  never come back (lost_ticket; any session it had counts, ended or not). ]]
local info = redis.call('HGET', KEYS[7], ARGV[1])
if not info then
  if not lost_ticket(KEYS, ARGV[1], ARGV[2], 0) then return 0 end
  redis.call('HSET', KEYS[6], 'r:' .. ARGV[1], '1')
  return 1
end
if split_record(info) ~= ARGV[2] then return 0 end
return finish(KEYS, ARGV[1])
