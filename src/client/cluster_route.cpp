// ClusterClient's one-command path: send to the slot's node, follow MOVED and
// ASK, retry transient errors after a backoff and a lost node after a refresh.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <redis_cache/errors.hpp>

#include "client/cluster.hpp"
#include "client/cluster_retry.hpp"

namespace redis_cache::detail {
namespace {

using Kind = Redirect::Kind;

/// One command, preceded by ASKING when it follows an ASK redirection (both in
/// one write on the same connection). Error replies are returned, not thrown.
Reply send(Connection& conn, Argv argv, bool asking) {
  std::vector<std::vector<std::string_view>> cmds;
  cmds.reserve(2);
  if (asking) cmds.push_back({"ASKING"});
  cmds.emplace_back(argv.begin(), argv.end());
  auto replies = conn.pipeline(cmds);
  return std::move(replies.back());
}

}  // namespace

template <class Op>
Reply ClusterClient::route(std::string_view route_key, std::string_view what, OnSplit on_split,
                           Op&& op) {
  const unsigned slot = key_slot(route_key);
  std::shared_ptr<Pool> ask;  // the ASK target, for the next attempt only
  Retries used;
  for (;;) {
    // `map` (or `asked`) owns `pool` for this attempt: no raw pointer outlives its owner.
    const auto map = ready_snapshot();
    const std::shared_ptr<Pool> asked = std::move(ask);
    const bool asking = asked != nullptr;
    Pool* const pool = asking ? asked.get() : &owner_in(*map, slot);
    const std::uint64_t seen = attempts_.load();
    std::optional<Reply> reply;
    try {
      auto lease = pool->acquire();
      reply.emplace(op(*lease, asking));
    } catch (const ConnectionError& e) {
      // The node may be gone (failover, resharding): refresh, retry once when
      // that changes the route or the failure was quick (refused, closed).
      if (used.io || !refreshed(seen)) throw;  // nothing answers: the original failure
      used.io = true;
      const bool timed_out = dynamic_cast<const TimeoutError*>(&e) != nullptr;
      if (timed_out && snapshot()->node_for(slot) == pool) throw;
      continue;
    }
    if (reply->type() != ReplyType::error) return std::move(*reply);
    const std::string_view err = reply->str();
    const std::string where = std::string(what) + " on " + pool->config().endpoint();
    Redirect r = parse_redirect(err, where);
    if (r.host.empty()) r.host = pool->config().host;
    switch (r.kind) {
      case Kind::moved:
      case Kind::ask:
        if (++used.redirects > kMaxRedirects) {
          throw MovedError("redis_cache: gave up on " + where + " (slot " + std::to_string(slot) +
                           ") after " + std::to_string(kMaxRedirects) +
                           " cluster redirections, the last: " + std::string(err) +
                           "; the cluster is resharding or its nodes disagree on the slot map");
        }
        if (r.kind == Kind::moved) {
          patch(r.slot, endpoint_of(r.host, r.port));
          request_refresh();
        } else {
          ask = pool_for(endpoint_of(r.host, r.port));
        }
        continue;
      case Kind::transient:
        if (on_split == OnSplit::report && is_split_slot_error(err)) return std::move(*reply);
        if (++used.transient > kMaxTransient) {
          throw_reply_error(
              err, where + " (still failing after " + std::to_string(kMaxTransient) + " retries)");
        }
        if (err.starts_with("CLUSTERDOWN") || err.starts_with("MASTERDOWN")) request_refresh();
        backoff(used.transient);
        continue;
      case Kind::other:
        throw_reply_error(err, where);
    }
  }
}

Reply ClusterClient::command(std::string_view route_key, Argv argv) {
  return route(route_key, name_of(argv), OnSplit::retry,
               [&](Connection& conn, bool asking) { return send(conn, argv, asking); });
}

Reply ClusterClient::eval(std::string_view route_key, const Script& script,
                          std::span<const std::string_view> keys,
                          std::span<const std::string_view> args) {
  return eval_on(route_key, script, keys, args, OnSplit::retry);
}

Reply ClusterClient::eval_unless_split(std::string_view route_key, const Script& script,
                                       std::span<const std::string_view> keys,
                                       std::span<const std::string_view> args) {
  return eval_on(route_key, script, keys, args, OnSplit::report);
}

Reply ClusterClient::eval_on(std::string_view route_key, const Script& script,
                             std::span<const std::string_view> keys,
                             std::span<const std::string_view> args, OnSplit on_split) {
  const std::string numkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha1());
  argv.push_back(numkeys);
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return route(route_key, "EVALSHA", on_split, [&](Connection& conn, bool asking) {
    Reply r = send(conn, argv, asking);
    if (r.type() != ReplyType::error || !r.str().starts_with("NOSCRIPT")) return r;
    // Not loaded on this node (first use, restart, failover): EVAL loads it, same node.
    auto eval_argv = argv;
    eval_argv[0] = "EVAL";
    eval_argv[1] = script.body();
    return send(conn, eval_argv, asking);
  });
}

void ClusterClient::with_node(std::string_view route_key,
                              const std::function<void(Connection&)>& fn) {
  const unsigned slot = key_slot(route_key);
  // fn sends keyless commands (SCAN) that no node redirects: after a resharding
  // the map may still name the old owner, which has none of the keys. A keyed
  // command first (one more round trip, for a rare operation) lets a MOVED
  // answer correct the map.
  const std::array<std::string_view, 2> probe{"EXISTS", route_key};
  (void)command(route_key, probe);
  auto map = ready_snapshot();
  Pool* pool = &owner_in(*map, slot);
  const std::uint64_t seen = attempts_.load();
  try {
    auto lease = pool->acquire();
    fn(*lease);
    return;
  } catch (const ConnectionError&) {
    // Retry on the new owner only if a refresh moved the slot (failover).
    if (!refreshed(seen) || snapshot()->node_for(slot) == pool) throw;
  }
  map = snapshot();
  auto lease = owner_in(*map, slot).acquire();
  fn(*lease);
}

void ClusterClient::for_each_node(const std::function<void(Connection&)>& fn) {
  const auto map = ready_snapshot();
  for (const auto& pool : map->nodes) {
    auto lease = pool->acquire();
    fn(*lease);
  }
}

}  // namespace redis_cache::detail
