-- KEYS[1] reservation index, KEYS[2..] the counters of what the call used.
-- ARGV: now, id, then per counter: amount, keep-until. Releases the reservation (if it has not expired) and
-- adds what was used. Returns 0, or 1 when the reservation was settled already.
expire(KEYS[1], ARGV[1])
-- once only: a settlement retried after its reply was lost (or replayed after an outage) changes nothing
if not redis.call('SET', KEYS[1] .. ':settled:' .. ARGV[2], '1', 'NX', 'PX', 86400000) then
  return 1
end
local held = KEYS[1] .. ':' .. ARGV[2]
local amounts = redis.call('HGETALL', held)
for i = 1, #amounts, 2 do
  redis.call('DECRBY', amounts[i], amounts[i + 1])
end
redis.call('DEL', held)
redis.call('ZREM', KEYS[1], ARGV[2])
for i = 2, #KEYS do
  local base = 2 + (i - 2) * 2
  redis.call('INCRBY', KEYS[i], ARGV[base + 1])
  redis.call('PEXPIREAT', KEYS[i], ARGV[base + 2])
end
return 0
