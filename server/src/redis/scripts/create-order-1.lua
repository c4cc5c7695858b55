--[[
  Stores a new order record unless one with the same id exists. Concurrent writers of the same id (duplicate
  notifications about an order we lost, say) cannot overwrite each other's record or its state.

  Input:
    KEYS[1] order hash key

    ARGV[1] TTL of the record, seconds
    ARGV[2..] field/value pairs

  Output:
    1  created
    0  an order with this id already exists; nothing was written
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
