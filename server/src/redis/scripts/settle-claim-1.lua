--[[
  Ends a single-flight claim taken with SET key token NX PX hold. If the claim is still the caller's, it stays for
  `spacing` more milliseconds (0 deletes it now), so the next holder starts at least that long after this one
  ended. A claim that lapsed and was taken by another caller is left alone.

  Input:
    KEYS[1] claim key

    ARGV[1] the caller's token (the value it SET)
    ARGV[2] spacing, milliseconds

  Output:
    1 if the caller's claim was settled, 0 if it was no longer the caller's
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
local spacing = tonumber(ARGV[2])
if spacing > 0 then
  redis.call('PEXPIRE', KEYS[1], spacing)
else
  redis.call('DEL', KEYS[1])
end
return 1
