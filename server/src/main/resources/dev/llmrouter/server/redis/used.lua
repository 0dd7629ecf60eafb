-- KEYS[1] reservation index, KEYS[2..] counters; ARGV[1] now. Each counter's amount in use.
expire(KEYS[1], ARGV[1])
local out = {}
for i = 2, #KEYS do
  out[i - 1] = tonumber(redis.call('GET', KEYS[i]) or '0')
end
return out
