--[[
  Redis lost this schedule's queue (a restart without persistence, a flush): an
  instance that still remembers how far it had gone writes the counters back, so
  fans who enter from now on are numbered after every ticket already handed out
  (no new "w1" beside an old one) and those admitted before are not admitted
  again. Raises only; several instances may call it at once.
  ARGV[1] last_seq  ARGV[2] serving_seq  ARGV[3] moves (the move log's number)
  restored_seq records the last number handed out before the loss: only those
  tickets may take their place again (status-11.lua).
  Returns 1 when it raised anything.
]]
local raised = 0
for i, field in ipairs({'last_seq', 'serving_seq', 'moves', 'restored_seq'}) do
  local now = tonumber(redis.call('HGET', KEYS[6], field) or '0')
  local want = tonumber(ARGV[i] or ARGV[1])  -- restored_seq: last_seq's
  if want > now then
    redis.call('HSET', KEYS[6], field, want)
    raised = 1
  end
end
return raised
