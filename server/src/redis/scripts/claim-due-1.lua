--[[
  Claims due entries of a schedule (sorted set scored by due time) for one worker: returns up to `limit` members
  whose score is <= now and pushes each one's score to now + lease, so other instances skip them until the lease
  runs out (a crashed claimer's entries come back by themselves).

  Input:
    KEYS[1] schedule sorted set

    ARGV[1] now, epoch milliseconds
    ARGV[2] lease, milliseconds
    ARGV[3] limit

  Output:
    array of claimed members (possibly empty)
]]
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
local leaseUntil = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', leaseUntil, member)
end
return due
