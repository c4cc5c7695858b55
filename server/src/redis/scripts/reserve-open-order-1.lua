--[[
  Reserves one of a user's unpaid-order slots: drops expired reservations, then adds this order unless the user
  already holds `cap` open ones.

  Input:
    KEYS[1] the user's open-orders sorted set (member = order id, score = expiry in epoch ms)

    ARGV[1] now, epoch milliseconds
    ARGV[2] cap
    ARGV[3] order id
    ARGV[4] expiry of this reservation, epoch milliseconds

  Output:
    n >= 1  reserved; n open orders including this one
    -1      the cap is reached; nothing was written
]]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return -1
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return redis.call('ZCARD', KEYS[1])
