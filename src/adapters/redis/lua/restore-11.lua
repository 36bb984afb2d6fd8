--[[
  Redis lost this schedule's queue (a restart without persistence, a flush): an
  instance that still remembers how far it had gone writes the counters back, so
  fans who enter from now on are numbered after every ticket already handed out
  (no new "w1" beside an old one) and those admitted before are not admitted
  again. Raises only; several instances may call it at once.
  ARGV[1] last_seq  ARGV[2] serving_seq  ARGV[3] moves (the move log's number)
  ARGV[4..] pairs of an admitted ticket and its active_until, as the instance saw them
  restored_seq records the last number handed out before the loss: only those
  tickets may take their place again, and an admitted one its session
  (meta field "a:<ticket>" = active_until), on their next poll (status-11.lua).
  Returns 1 when it raised anything.
]]
local raised = 0
for i = 4, #ARGV - 1, 2 do redis.call('HSETNX', KEYS[6], 'a:' .. ARGV[i], ARGV[i + 1]) end
for i, field in ipairs({'last_seq', 'serving_seq', 'moves', 'restored_seq'}) do
  local now = tonumber(redis.call('HGET', KEYS[6], field) or '0')
  local want = tonumber(i == 4 and ARGV[1] or ARGV[i])  -- restored_seq: last_seq's
  if want > now then
    redis.call('HSET', KEYS[6], field, want)
    raised = 1
  end
end
return raised
