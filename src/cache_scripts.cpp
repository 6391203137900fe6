// The Lua scripts of the cache (see cache_scripts.hpp).
#include "cache_scripts.hpp"

namespace redis_cache::detail {

// KEYS[1] = FIFO index (zset), KEYS[2] = value key.
// ARGV[1] = value, ARGV[2] = ttl seconds (0 = none), ARGV[3] = limit.
// Sets the value, records it in the index with the server's time, drops index
// members whose values have expired, then evicts the oldest beyond the limit.
const Script& fifo_script() {
  static const Script script(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ttl)
else
  redis.call('SET', KEYS[2], ARGV[1])
end
redis.call('ZADD', KEYS[1], now, KEYS[2])
if ttl > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))
end
local n = redis.call('ZCARD', KEYS[1])
if n > limit then
  local old = redis.call('ZPOPMIN', KEYS[1], n - limit)
  for i = 1, #old, 2 do
    redis.call('UNLINK', old[i])
  end
end
return n
)lua");
  return script;
}

const Script& unlock_script() {
  // Compare-and-delete: a holder whose lock expired never deletes another's.
  static const Script script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua");
  return script;
}

const Script& invalidate_script() {
  // One script, so a concurrent FIFO store can never land between the DEL
  // and the ZREM (which would leave a live value outside the index).
  static const Script script(R"lua(
local n = redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], KEYS[2])
return n
)lua");
  return script;
}

}  // namespace redis_cache::detail
