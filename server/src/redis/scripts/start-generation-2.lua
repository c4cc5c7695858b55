--[[
  A worker takes an order's generation: PAID → GENERATING for the first attempt, or, when the order is already
  GENERATING (the previous worker died or lost its job), a new attempt that fences the old one out. If the old
  attempt had streamed text, a reset entry tells subscribers to discard it: the answer starts over visibly.

  Each order has a budget of generation attempts. A worker that would start one past the budget instead fails
  the order (GENERATING → FAILED, sealed openid erased) in this same step, so an order whose workers keep dying
  ends in a refund, not in an endless loop or in limbo.

  Each entry is also announced (SPUBLISH, payload: its seq) on the shard channel named like the stream key, which
  lives in the same slot: the stream hub on a Redis Cluster listens there instead of blocking on XREAD. Through
  pcall: Redis before 7.0 has no SPUBLISH, and a single node's hub does not need the notice.

  Input:
    KEYS[1] order hash key
    KEYS[2] order answer stream key (same hash slot)

    ARGV[1] now, epoch milliseconds
    ARGV[2] attempt budget (attempts allowed in all)

  Output:
    { attempt, resetSeq }  this worker's attempt number; resetSeq is the reset entry's seq, or 0 if none
    { -1 }                 no such order
    { -2, state }          the order is in no state to generate (not paid, or already answered)
    { -4, attempts }       the budget was spent: the order is now FAILED
]]
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return { -1 }
end
if state ~= 'PAID' and state ~= 'GENERATING' then
  return { -2, state }
end

local spent = tonumber(redis.call('HGET', KEYS[1], 'attempt') or '0')
if spent >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'state', 'FAILED', 'updatedAt', ARGV[1], 'at:FAILED', ARGV[1])
  redis.call('HDEL', KEYS[1], 'sealedOpenid')
  local seq = redis.call('HINCRBY', KEYS[1], 'streamSeq', 1)
  redis.call('XADD', KEYS[2], '0-' .. seq, 'k', 's', 'v', 'FAILED')
  redis.pcall('SPUBLISH', KEYS[2], seq)
  return { -4, spent }
end

local attempt = redis.call('HINCRBY', KEYS[1], 'attempt', 1)
local resetSeq = 0
if state == 'PAID' then
  redis.call('HSET', KEYS[1], 'state', 'GENERATING', 'updatedAt', ARGV[1], 'at:GENERATING', ARGV[1])
  local seq = redis.call('HINCRBY', KEYS[1], 'streamSeq', 1)
  redis.call('XADD', KEYS[2], '0-' .. seq, 'k', 's', 'v', 'GENERATING')
  redis.pcall('SPUBLISH', KEYS[2], seq)
elseif redis.call('HGET', KEYS[1], 'hasText') == '1' then
  resetSeq = redis.call('HINCRBY', KEYS[1], 'streamSeq', 1)
  redis.call('XADD', KEYS[2], '0-' .. resetSeq, 'k', 'r', 'v', 'worker_restart')
  redis.pcall('SPUBLISH', KEYS[2], resetSeq)
  redis.call('HSET', KEYS[1], 'hasText', '0')
end
return { attempt, resetSeq }
