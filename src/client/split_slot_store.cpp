// Stores of FIFO-limited functions while their slot is split (see split_slot_store.hpp).
#include "client/split_slot_store.hpp"

#include <array>
#include <string>
#include <vector>

#include <redis_cache/errors.hpp>

#include "cache_scripts.hpp"
#include "client/cluster_protocol.hpp"

namespace redis_cache::detail {
namespace {

// KEYS[1] = FIFO index; ARGV[1] = value key, ARGV[2] = ttl seconds (0 = none).
// The FIFO script's index update without its eviction: adds the key with the
// server's time and drops members whose values have expired.
const Script& index_only_script() {
  static const Script script(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], now, ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))
end
return redis.call('ZCARD', KEYS[1])
)lua");
  return script;
}

}  // namespace

bool is_split_slot(const ReplyRef& reply) noexcept {
  return reply.type() == ReplyType::error && is_split_slot_error(reply.str());
}

bool store_limited(Client& client, const LimitedStore& store, std::size_t limit) {
  const std::string ttl = std::to_string(store.ttl), max = std::to_string(limit);
  const std::array<std::string_view, 2> keys{store.index_key, store.key};
  const std::array<std::string_view, 3> args{store.value, ttl, max};
  const Reply reply = client.eval_unless_split(store.route, fifo_script(), keys, args);
  if (!is_split_slot(reply)) return true;
  store_while_split(client, {&store, 1});
  return false;
}

void store_while_split(Client& client, std::span<const LimitedStore> stores) {
  // Two commands per store, in one round trip. EVAL, not EVALSHA: this path is
  // rare, and the body is short, so no NOSCRIPT round.
  const Script& script = index_only_script();
  std::vector<std::string> ttls;
  ttls.reserve(stores.size());  // no reallocation: the views below point into these
  std::vector<std::string_view> routes;
  std::vector<std::vector<std::string_view>> cmds;
  routes.reserve(2 * stores.size());
  cmds.reserve(2 * stores.size());
  for (const auto& s : stores) {
    const std::string_view ttl = ttls.emplace_back(std::to_string(s.ttl));
    if (s.ttl > 0) {
      cmds.push_back({"SET", s.key, s.value, "EX", ttl});
    } else {
      cmds.push_back({"SET", s.key, s.value});
    }
    cmds.push_back({"EVAL", script.body(), "1", s.index_key, s.key, ttl});
    routes.insert(routes.end(), 2, s.route);
  }
  const auto replies = client.pipeline_routed(routes, cmds);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].type() != ReplyType::error) continue;
    const auto& s = stores[i / 2];
    throw_reply_error(replies[i].str(),
                      std::string(i % 2 == 0 ? "SET " : "the FIFO index script on ") +
                          std::string(i % 2 == 0 ? s.key : s.index_key) +
                          " while a migration splits its slot");
  }
}

}  // namespace redis_cache::detail
