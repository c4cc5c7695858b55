--[[
  Compare-and-set an order's state: the only way an order's state changes.

  Input:
    KEYS[1] order hash key

    ARGV[1] allowed current states, comma separated (e.g. "FAILED,CLOSED")
    ARGV[2] new state
    ARGV[3] now, epoch milliseconds
    ARGV[4..] extra field/value pairs written in the same step (e.g. transactionId)

  Output:
    { 1, previousState }  the state changed
    { -1 }                no such order
    { -2, currentState }  the current state is not one of the allowed ones; nothing was written

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

redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updatedAt', ARGV[3], 'at:' .. ARGV[2], ARGV[3])
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return { 1, current }
