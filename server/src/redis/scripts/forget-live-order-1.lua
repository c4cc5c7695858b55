--[[
  Removes an order from the live-order index, but only if its score is still the one the caller saw. The
  recovery sweep forgets an order it found final; if the order left that final state meanwhile (a payment for
  a closed order starts its refund, which re-watches it first), the score changed and the order stays watched.

  Input:
    KEYS[1] live-order index (sorted set)

    ARGV[1] order id
    ARGV[2] the score the caller saw

  Output:
    1  removed
    0  the score changed (or the order was not there); nothing was removed
]]
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
