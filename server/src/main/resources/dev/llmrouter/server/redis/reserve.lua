-- KEYS[1] reservation index, KEYS[2..] the charges' counters.
-- ARGV: now, id, expires, then per charge: amount, limit, share-of (charge number, 0 for none), share, keep-until.
-- Returns {-1, amounts in use after} when every charge was added, else {the number (from 0) of the first charge
-- whose limit it would break, amounts in use before}: one amount per charge, for the caller's planning reads.
expire(KEYS[1], ARGV[1])
local n = #KEYS - 1
local after = {}
for i = 1, n do
  local key = KEYS[i + 1]
  if after[key] == nil then
    after[key] = tonumber(redis.call('GET', key) or '0')
  end
  after[key] = after[key] + tonumber(ARGV[3 + (i - 1) * 5 + 1])
end
for i = 1, n do
  local base = 3 + (i - 1) * 5
  local amount = tonumber(ARGV[base + 1])
  local limit = tonumber(ARGV[base + 2])
  local of = tonumber(ARGV[base + 3])
  if of > 0 then
    limit = math.floor(tonumber(ARGV[base + 4]) * after[KEYS[of + 1]])
  end
  if amount > 0 and after[KEYS[i + 1]] > limit then
    local before = {i - 1}
    for j = 1, n do
      before[j + 1] = tonumber(redis.call('GET', KEYS[j + 1]) or '0')
    end
    return before
  end
end
local held = KEYS[1] .. ':' .. ARGV[2]
for i = 1, n do
  local base = 3 + (i - 1) * 5
  local key = KEYS[i + 1]
  redis.call('INCRBY', key, ARGV[base + 1])
  redis.call('PEXPIREAT', key, ARGV[base + 5])
  redis.call('HINCRBY', held, key, ARGV[base + 1])
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local out = {-1}
for i = 1, n do
  out[i + 1] = after[KEYS[i + 1]]
end
return out
