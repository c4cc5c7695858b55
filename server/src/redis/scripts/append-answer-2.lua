--[[
  Appends to an order's answer stream on behalf of one generation attempt: text ("t") or a reset ("r", the
  answer starts over). Refused when the order is no longer GENERATING or another attempt has taken over, so a
  stale worker can never write into the answer.

  Each entry is also announced (SPUBLISH, payload: its seq) on the shard channel named like the stream key, which
  lives in the same slot: the stream hub on a Redis Cluster listens there instead of blocking on XREAD. Through
  pcall: Redis before 7.0 has no SPUBLISH, and a single node's hub does not need the notice.

  Input:
    KEYS[1] order hash key
    KEYS[2] order answer stream key (same hash slot)

    ARGV[1] attempt number
    ARGV[2] kind: "t" (text) or "r" (reset)
    ARGV[3] value: the text, or the reset reason

  Output:
    seq  the entry's sequence number (its stream id is 0-seq)
    -1   refused: not GENERATING, or not this attempt
]]
if redis.call('HGET', KEYS[1], 'state') ~= 'GENERATING' or redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] then
  return -1
end
local seq = redis.call('HINCRBY', KEYS[1], 'streamSeq', 1)
redis.call('XADD', KEYS[2], '0-' .. seq, 'k', ARGV[2], 'v', ARGV[3])
redis.pcall('SPUBLISH', KEYS[2], seq)
redis.call('HSET', KEYS[1], 'hasText', ARGV[2] == 't' and '1' or '0')
return seq
