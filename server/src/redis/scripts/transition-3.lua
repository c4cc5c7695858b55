--[[
  Compare-and-set an order's state: the only way an order's state changes. The change is also appended to the
  order's answer stream, so a subscriber sees states and text in one ordered sequence.

  Each entry is also announced (SPUBLISH, payload: its seq) on the shard channel named like the stream key, which
  lives in the same slot: the stream hub on a Redis Cluster listens there instead of blocking on XREAD. Through
  pcall: Redis before 7.0 has no SPUBLISH, and a single node's hub does not need the notice.

  The raw openid (sealed) is needed only while the order can still be paid or answered: when the new state is
  final or FAILED it is erased here, in the same step, so no crash can leave it behind. A COMPLETED order may
  hand it over to a short-lived key for the subscribe message that tells the user their answer is ready.

  Input:
    KEYS[1] order hash key
    KEYS[2] order answer stream key (same hash slot)
    KEYS[3] openid hand-over key (same hash slot)

    ARGV[1] allowed current states, comma separated (e.g. "FAILED,CLOSED")
    ARGV[2] new state
    ARGV[3] now, epoch milliseconds
    ARGV[4] required generation attempt, or "" for none (fences a worker that lost its job to another)
    ARGV[5] TTL in seconds given to the stream when the new state is final, or "0"
    ARGV[6] "1" to erase the sealed openid in this step, else "0"
    ARGV[7] seconds the erased openid stays in the hand-over key, or "0" for none
    ARGV[8..] extra field/value pairs written in the same step (e.g. transactionId)

  Output:
    { 1, previousState, seq }  the state changed; seq is the stream entry of the change
    { -1 }                     no such order
    { -2, currentState }       the current state is not one of the allowed ones; nothing was written
    { -3, currentAttempt }     the attempt does not match; nothing was written

  Also sets `updatedAt` and `at:<newState>` (the transition's timestamp).
]]
local current = redis.call('HGET', KEYS[1], 'state')
if not current then
  return { -1 }
end

local allowed = false
for state in string.gmatch(ARGV[1], '([^,]+)') do
  if state == current then
    allowed = true
    break
  end
end
if not allowed then
  return { -2, current }
end
if ARGV[4] ~= '' then
  local attempt = redis.call('HGET', KEYS[1], 'attempt') or '0'
  if attempt ~= ARGV[4] then
    return { -3, attempt }
  end
end

redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updatedAt', ARGV[3], 'at:' .. ARGV[2], ARGV[3])
for i = 8, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if ARGV[6] == '1' then
  local sealed = redis.call('HGET', KEYS[1], 'sealedOpenid')
  if sealed and tonumber(ARGV[7]) > 0 then
    redis.call('SET', KEYS[3], sealed, 'EX', tonumber(ARGV[7]))
  end
  redis.call('HDEL', KEYS[1], 'sealedOpenid')
end
local seq = redis.call('HINCRBY', KEYS[1], 'streamSeq', 1)
redis.call('XADD', KEYS[2], '0-' .. seq, 'k', 's', 'v', ARGV[2])
redis.pcall('SPUBLISH', KEYS[2], seq)
if tonumber(ARGV[5]) > 0 then
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
end
return { 1, current, seq }
