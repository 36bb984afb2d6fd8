--[[
  Shared by every queue script (prepended when the scripts are embedded).
  Every script gets the same eleven keys of one schedule, all with the hash tag
  {s:<scheduleId>} so the set stays valid on Redis Cluster:
    KEYS[1] waiting   ZSET token -> sequence number (FIFO order)
    KEYS[2] pre       ZSET token -> entered_at (pre-queue, order drawn at opening)
    KEYS[3] active    ZSET token -> active_until (ms)
    KEYS[4] seen      ZSET token -> last poll (ms), waiting and pre-queue fans only
    KEYS[5] users     HASH user -> live token
    KEYS[6] meta      HASH last_seq, serving_seq, drawn, drawn_base, pre_count, moves, and
                      after a loss restored_seq, restored_pre, restored_until, "r:<ticket>"
                      (back), "a:<ticket>" (a session seen), "d:<ticket>" (a drawn seq seen)
    KEYS[7] tokens    HASH token -> "<user>|<entered_at>" (split at the last '|': a user id
                      may hold '|', as Auth0's "auth0|abc" does; entered_at never does)
    KEYS[8] admitted  ZSET token -> admitted_at (ms), the last second only
    KEYS[9] admlog    ZSET "<seq>|<user>|<entered_at>|<admitted_at>" -> seq, the admission
                      log (the newest ADMISSION_LOG_SIZE promotions)
    KEYS[10] moves    ZSET "A|<token>|<active_until>" (admitted) or "G|<token>" (gone) ->
                      move number (meta.moves): what each instance's serving snapshot
                      replays so a poll needs no round trip (the newest MOVE_LOG_SIZE)
    KEYS[11] drawn    LIST the pre-queue's tokens in drawn order: the i-th (0-based)
                      has seq meta.drawn_base + 1 + i
  Tokens are ticket names, not secrets (the server signs them for clients): "w<seq>"
  for fans numbered on entry, "p<n>" for the n-th pre-queue entrant, whose seq is
  drawn at opening.
  A token description is {token, state, seq, active_until, entered_at, serving_seq, user}
  with state WAITING | PRE | ACTIVE.
]]

local ADMISSION_LOG_SIZE = 200000  -- ports::kAdmissionLogSize
local MOVE_LOG_SIZE = 200000

-- Appends one move to the log the serving snapshots replay.
local function log_move(keys, move)
  redis.call('ZADD', keys[10], redis.call('HINCRBY', keys[6], 'moves', 1), move)
  local excess = redis.call('ZCARD', keys[10]) - MOVE_LOG_SIZE
  if excess > 0 then redis.call('ZREMRANGEBYRANK', keys[10], 0, excess - 1) end
end

-- The user and entered_at of a token record "<user>|<entered_at>".
local function split_record(info)
  return string.match(info, '^(.*)|([^|]*)$')
end

local function describe(keys, token)
  local info = redis.call('HGET', keys[7], token)
  if not info then return nil end
  local user, entered = split_record(info)
  local serving = redis.call('HGET', keys[6], 'serving_seq') or '0'
  local active_until = redis.call('ZSCORE', keys[3], token)
  if active_until then return {token, 'ACTIVE', '0', active_until, entered, serving, user} end
  local seq = redis.call('ZSCORE', keys[1], token)
  if seq then return {token, 'WAITING', seq, '0', entered, serving, user} end
  if redis.call('ZSCORE', keys[2], token) then return {token, 'PRE', '0', '0', entered, serving, user} end
  return nil
end

-- Removes a token that is no longer live (left, used, expired); returns 1 if it was.
local function finish(keys, token)
  local info = redis.call('HGET', keys[7], token)
  if not info then return 0 end
  local user = split_record(info)
  redis.call('ZREM', keys[1], token)
  redis.call('ZREM', keys[2], token)
  redis.call('ZREM', keys[3], token)
  redis.call('ZREM', keys[4], token)
  redis.call('HDEL', keys[7], token)
  if redis.call('HGET', keys[5], user) == token then redis.call('HDEL', keys[5], user) end
  log_move(keys, 'G|' .. token)
  return 1
end

-- After Redis lost the queue (a restart without persistence): the tickets handed
-- out before (seq <= meta.restored_seq, pre-queue numbers <= meta.restored_pre)
-- may take their places again on their fan's next call (status-11.lua), once each
-- (meta "r:<ticket>"); promotion holds back fans numbered after the loss for
-- RESEAT_GRACE_MS (promote-11.lua) so the earlier ones can. An instance's counters
-- are raised, never lowered.
local RESEAT_GRACE_MS = 10000

-- Redis' own clock (ms): the grace is kept by the server every instance shares,
-- whatever the callers' clocks say.
local function server_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Raises meta[field] to `floor` (and meta[restored], the loss's mark, with it);
-- returns 1 if it was below: Redis lost what an instance saw.
local function raise(keys, field, floor, restored)
  if tonumber(redis.call('HGET', keys[6], field) or '0') >= tonumber(floor) then return 0 end
  redis.call('HSET', keys[6], field, floor)
  if restored and tonumber(redis.call('HGET', keys[6], restored) or '0') < tonumber(floor) then
    redis.call('HSET', keys[6], restored, floor)
    redis.call('HSET', keys[6], 'restored_until', server_ms() + RESEAT_GRACE_MS)
  end
  return 1
end

-- Redis numbered below what an instance saw handed out (tickets or pre-queue
-- numbers) or served: it lost the queue.
local function raise_floors(keys, last_seq, serving_seq, pre_count)
  local raised = raise(keys, 'last_seq', last_seq, 'restored_seq')
  raised = math.max(raised, raise(keys, 'pre_count', pre_count, 'restored_pre'))
  return math.max(raised, raise(keys, 'serving_seq', serving_seq, nil))
end

-- The place of a ticket handed out before the loss: a "w" ticket's seq is in its
-- name; a "p" ticket's is the one an instance saw drawn ("d:"), or its place in
-- a draw made since (draw); 0 while the pre-queue is not drawn (it joins it
-- again). nil for any other ticket.
local function lost_place(keys, token)
  local n = tonumber(string.sub(token, 2))
  if not n then return nil end
  if string.sub(token, 1, 1) == 'w' then
    if n <= tonumber(redis.call('HGET', keys[6], 'restored_seq') or '0') then return n end
    return nil
  end
  if string.sub(token, 1, 1) ~= 'p' or n > tonumber(redis.call('HGET', keys[6], 'restored_pre') or '0') then
    return nil
  end
  local seen = redis.call('HGET', keys[6], 'd:' .. token)
  if seen then return tonumber(seen) end
  if redis.call('HGET', keys[6], 'drawn') ~= '1' then return 0 end
  local at = redis.call('LPOS', keys[11], token)
  if not at then return nil end
  return tonumber(redis.call('HGET', keys[6], 'drawn_base') or '0') + at + 1
end

-- A ticket handed out before the loss, not back yet, of a user with no live
-- token: its place (lost_place), and its active_until if an instance saw it
-- admitted and the session has not run out. nil otherwise.
local function lost_ticket(keys, token, user, now)
  if redis.call('HEXISTS', keys[6], 'r:' .. token) == 1 or redis.call('HGET', keys[5], user) then return nil end
  local seq = lost_place(keys, token)
  if not seq then return nil end
  if seq == 0 or seq > tonumber(redis.call('HGET', keys[6], 'serving_seq') or '0') then return seq, nil end
  local until_ms = tonumber(redis.call('HGET', keys[6], 'a:' .. token) or '0')
  if until_ms > tonumber(now) then return seq, until_ms end
  return nil
end

-- Draws the pre-queue's order once (Fisher-Yates over a Park-Miller generator
-- seeded by the caller) and numbers it after everyone numbered so far. Entering
-- after the opening draws first (enter-11.lua), so in practice nobody is.
-- After Redis lost a pre-queue (restored_pre > 0), the tickets handed out before
-- that have not come back yet and whose place no instance saw ("d:") are drawn
-- too: each gets a place of its own in the drawn list (not in the waiting set),
-- which it takes when its fan polls again (lost_ticket), so a fan who was in the
-- pre-queue is never drawn behind a later one; the places count as handed out
-- before the loss, so promotion holds later fans back while they come back.
local function draw(keys, seed)
  if redis.call('HGET', keys[6], 'drawn') == '1' then return end
  redis.call('HSET', keys[6], 'drawn', '1')
  local pre = redis.call('ZRANGE', keys[2], 0, -1)
  local holes = 0
  for n = 1, tonumber(redis.call('HGET', keys[6], 'restored_pre') or '0') do
    local token = 'p' .. n
    if redis.call('HEXISTS', keys[6], 'r:' .. token) == 0 and redis.call('HEXISTS', keys[6], 'd:' .. token) == 0 then
      table.insert(pre, token)
      holes = holes + 1
    end
  end
  local state = tonumber(seed) % 2147483647
  if state <= 0 then state = 1 end
  for i = #pre, 2, -1 do
    state = (state * 48271) % 2147483647
    local j = (state % i) + 1
    pre[i], pre[j] = pre[j], pre[i]
  end
  local seq = tonumber(redis.call('HGET', keys[6], 'last_seq') or '0')
  redis.call('HSET', keys[6], 'drawn_base', seq)
  for i, token in ipairs(pre) do
    if redis.call('ZSCORE', keys[2], token) then redis.call('ZADD', keys[1], seq + i, token) end
    redis.call('RPUSH', keys[11], token)
  end
  redis.call('DEL', keys[2])
  redis.call('HSET', keys[6], 'last_seq', seq + #pre)
  if holes > 0 then
    raise(keys, 'restored_seq', seq + #pre, nil)
    redis.call('HSET', keys[6], 'restored_until', server_ms() + RESEAT_GRACE_MS)
  end
end
