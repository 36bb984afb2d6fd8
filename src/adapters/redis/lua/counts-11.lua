--[[ Returns {waiting including pre-queue, active, pre-queue}.
  Just after Redis lost the queue, the sessions an instance saw admitted that
  have not come back yet (lost_ticket) count as active too, so promotion does not
  fill their places before their fans poll again. ]]
local pre = redis.call('ZCARD', KEYS[2])
local active = redis.call('ZCARD', KEYS[3])
if server_ms() < tonumber(redis.call('HGET', KEYS[6], 'restored_until') or '0') then
  local meta = redis.call('HGETALL', KEYS[6])
  local now = server_ms()
  for i = 1, #meta, 2 do
    local field = meta[i]
    if string.sub(field, 1, 2) == 'a:' and tonumber(meta[i + 1]) > now and
        redis.call('HEXISTS', KEYS[6], 'r:' .. string.sub(field, 3)) == 0 then
      active = active + 1
    end
  end
end
return {redis.call('ZCARD', KEYS[1]) + pre, active, pre}
