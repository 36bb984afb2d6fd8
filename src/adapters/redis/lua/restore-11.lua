--[[
  Redis lost this schedule's queue (a restart without persistence, a flush): an
  instance that still remembers how far it had gone writes the counters back, so
  fans who enter from now on are numbered after every ticket already handed out
  and those admitted before are not admitted again (raise_floors), and the move
  log goes on from the number the instance had replayed. Several instances may
  call it at once.
  ARGV[1] last_seq  ARGV[2] serving_seq  ARGV[3] moves (the move log's number)
  ARGV[4] pre_count  ARGV[5] drawn 0|1  ARGV[6] k, then k pairs of an admitted
  ticket and its active_until, as the instance saw them (their sessions come back
  on their next call: lost_ticket), then pairs of a drawn pre-queue ticket and
  its seq (its place, the same way).
  Returns 1 when it raised anything.
]]
local raised = raise_floors(KEYS, ARGV[1], ARGV[2], ARGV[4])
local sessions = tonumber(ARGV[6])
for i = 7, 6 + 2 * sessions, 2 do redis.call('HSETNX', KEYS[6], 'a:' .. ARGV[i], ARGV[i + 1]) end
for i = 7 + 2 * sessions, #ARGV - 1, 2 do redis.call('HSETNX', KEYS[6], 'd:' .. ARGV[i], ARGV[i + 1]) end
-- The pre-queue was drawn before the loss: it is drawn now, so fans who entered
-- it since the loss are numbered after every ticket handed out before.
if ARGV[5] == '1' and redis.call('HGET', KEYS[6], 'drawn') ~= '1' then
  draw(KEYS, server_ms())
  raised = 1
end
if tonumber(redis.call('HGET', KEYS[6], 'moves') or '0') < tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[6], 'moves', ARGV[3])
  raised = 1
end
return raised
