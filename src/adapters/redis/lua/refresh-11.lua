--[[
  What an instance's serving snapshot needs to answer polls from memory (SPEC §2a),
  and the polls it answered since the last call (for the idle timeout).
  ARGV[1] moves already replayed (0: a cold start)  ARGV[2] at most this many moves
  ARGV[3] now (ms)  ARGV[4..] tokens polled since the last call
  Returns {serving_seq, last_seq, drawn 0|1, drawn_base, drawn count, oldest move
  number still logged (0: none), the latest move number (meta.moves: below the
  caller's cursor when Redis lost the queue), restored_seq (tickets up to it were
  handed out before a loss: _prelude.lua), restored_pre (pre-queue numbers up to
  it, the same), pre_count, n, n moves, then on a cold start the
  active tokens, each followed by its active_until}.
]]
local now = ARGV[3]
for i = 4, #ARGV do redis.call('ZADD', KEYS[4], 'XX', now, ARGV[i]) end
local meta = redis.call('HMGET', KEYS[6], 'serving_seq', 'last_seq', 'drawn', 'drawn_base', 'moves', 'restored_seq',
                        'restored_pre', 'pre_count')
local oldest = redis.call('ZRANGE', KEYS[10], 0, 0, 'WITHSCORES')
local after = tonumber(ARGV[1])
local moves = redis.call('ZRANGEBYSCORE', KEYS[10], '(' .. after, '+inf', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {meta[1] or '0', meta[2] or '0', meta[3] or '0', meta[4] or '0', redis.call('LLEN', KEYS[11]),
             oldest[2] or '0', meta[5] or '0', meta[6] or '0', meta[7] or '0', meta[8] or '0', #moves}
for _, m in ipairs(moves) do table.insert(out, m) end
if after == 0 then
  for _, t in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')) do table.insert(out, t) end
end
return out
