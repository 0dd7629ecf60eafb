-- KEYS[1] failures in a row by model, KEYS[2] cooldown ends by model (ms).
-- ARGV: model, after_failures, cooldown length (ms), now (ms). Returns the cooldown's end when this failure
-- starts one, else 0.
local count = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if count >= tonumber(ARGV[2]) then
  local untilMs = tonumber(ARGV[4]) + tonumber(ARGV[3])
  redis.call('HSET', KEYS[2], ARGV[1], untilMs)
  redis.call('HSET', KEYS[1], ARGV[1], 0)
  return untilMs
end
return 0
