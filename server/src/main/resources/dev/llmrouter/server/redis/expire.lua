-- shared by reserve, settle and used: release the reservations that expired by ARGV[1] (ms since the epoch).
-- KEYS[1] is the sorted set of reservation ids by expiry; each reservation is a hash counter -> amount at
-- KEYS[1] .. ':' .. id. Every key shares the prefix's hash tag, so a cluster keeps them in one slot.
local function expire(index, now)
  local ids = redis.call('ZRANGEBYSCORE', index, '-inf', now)
  for _, id in ipairs(ids) do
    local key = index .. ':' .. id
    local held = redis.call('HGETALL', key)
    for i = 1, #held, 2 do
      redis.call('DECRBY', held[i], held[i + 1])
    end
    redis.call('DEL', key)
    redis.call('ZREM', index, id)
  end
end
