// ClusterClient's pipelines: commands with their own route keys, sent as one
// pipeline per node per round. A round's redirected commands (MOVED, ASK,
// transient errors) and those of a node that failed go out again in the next
// round, within the same limits as one command (cluster_retry.hpp).
#include <algorithm>
#include <exception>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <redis_cache/errors.hpp>

#include "client/cluster.hpp"
#include "client/cluster_retry.hpp"

namespace redis_cache::detail {

/// What the replies of one round ask for next. Redirections are collected here
/// and followed by ClusterClient::follow, which owns the slot map and the pools.
struct PipelineRound {
  std::vector<std::size_t> retry;                          // the caller's indices, any order
  std::vector<std::pair<unsigned, std::string>> moved;     // slot → endpoint (MOVED)
  std::vector<std::pair<std::size_t, std::string>> asked;  // index → endpoint (ASK)
  bool transient = false;                                  // TRYAGAIN, CLUSTERDOWN, ...
  std::string last_error;       // "<error reply> from host:port", for messages
  unsigned last_slot = 0;       // the slot of that command
  std::exception_ptr io_error;  // the first ConnectionError of the round
};

namespace {

using Kind = Redirect::Kind;

/// The commands of one round for one node, and what came back.
struct Batch {
  Pool* pool = nullptr;                               // alive while the round's map is held
  std::vector<std::size_t> idx{};                     // the caller's indices, in call order
  std::vector<bool> asking{};                         // per idx: after an ASK redirection
  std::vector<std::vector<std::string_view>> cmds{};  // as sent (ASKING before those)
  std::vector<Reply> replies{};                       // one per entry of cmds
  std::exception_ptr failed{};                        // a ConnectionError while sending or reading
};

/// The pending commands grouped into one batch per node: the ASK target of a
/// command that got ASK last round (asked[i], which applies once), else its
/// slot's owner in map. The batches come in one global order (by pool), in
/// which every thread takes its connections: two pipelines that each hold one
/// node's last connection never wait for each other.
std::vector<Batch> group_by_node(std::span<const std::size_t> pending,
                                 std::span<const unsigned> slots,
                                 std::span<const std::shared_ptr<Pool>> asked, const SlotMap& map,
                                 std::span<const std::vector<std::string_view>> cmds) {
  std::vector<Batch> batches;  // few nodes: a linear search
  for (const std::size_t i : pending) {
    const bool asking = asked[i] != nullptr;
    Pool* pool = asking ? asked[i].get() : &owner_in(map, slots[i]);
    auto b = std::find_if(batches.begin(), batches.end(),
                          [&](const Batch& x) { return x.pool == pool; });
    if (b == batches.end()) b = batches.insert(batches.end(), Batch{.pool = pool});
    b->idx.push_back(i);
    b->asking.push_back(asking);
    if (asking) b->cmds.push_back({"ASKING"});  // applies to the next command only
    b->cmds.push_back(cmds[i]);
  }
  std::sort(batches.begin(), batches.end(),
            [](const Batch& a, const Batch& b) { return std::less<>{}(a.pool, b.pool); });
  return batches;
}

/// Sends every batch, then reads every batch: the nodes work at the same time,
/// so the round costs about one round trip however many nodes it spans. A
/// ConnectionError stays with its batch (the caller decides); anything else
/// propagates, and then connections left with unread replies are dropped, never
/// returned to their pools where a later command would read those replies.
void exchange(std::vector<Batch>& batches) {
  struct Leases {
    std::vector<std::optional<Lease>> held;  // engaged: sent, replies not read yet
    ~Leases() {
      for (auto& l : held) {
        if (l.has_value()) (*l)->reset();
      }
    }
  } leases{std::vector<std::optional<Lease>>(batches.size())};
  for (std::size_t j = 0; j < batches.size(); ++j) {
    auto& b = batches[j];
    try {
      auto lease = b.pool->acquire();
      lease->pipeline_send(b.cmds);
      leases.held[j].emplace(std::move(lease));
    } catch (const ConnectionError&) {
      b.failed = std::current_exception();
    }
  }
  for (std::size_t j = 0; j < batches.size(); ++j) {
    auto& lease = leases.held[j];
    if (!lease.has_value()) continue;
    try {
      batches[j].replies = (*lease)->pipeline_receive(batches[j].cmds);
    } catch (const ConnectionError&) {
      batches[j].failed = std::current_exception();
    }
    lease.reset();  // back to the pool now, not after every node answered
  }
}

/// Sorts one round's replies: final ones (values, and error replies that are
/// the caller's business: NOSCRIPT, WRONGTYPE, ... and TRYAGAIN when on_split
/// reports it) go to out[i]; redirected commands and those of a failed node go
/// to the round's retry list with what they ask for. A redirected command's
/// error reply also goes to out[i], replaced when its retry answers.
void read_replies(std::vector<Batch>& batches, std::span<const std::vector<std::string_view>> cmds,
                  std::span<const unsigned> slots, bool report_split,
                  std::vector<std::optional<Reply>>& out, PipelineRound& round) {
  for (auto& b : batches) {
    if (b.failed != nullptr) {
      if (round.io_error == nullptr) round.io_error = b.failed;
      round.retry.insert(round.retry.end(), b.idx.begin(), b.idx.end());
      continue;
    }
    std::size_t pos = 0;
    for (std::size_t k = 0; k < b.idx.size(); ++k) {
      const std::size_t i = b.idx[k];
      if (b.asking[k]) ++pos;  // ASKING's +OK
      Reply& r = b.replies[pos++];
      if (r.type() != ReplyType::error) {
        out[i].emplace(std::move(r));
        continue;
      }
      const std::string endpoint = b.pool->config().endpoint();
      Redirect red =
          parse_redirect(r.str(), std::string(name_of(cmds[i])) + " in a pipeline on " + endpoint);
      if (red.host.empty()) red.host = b.pool->config().host;
      switch (red.kind) {
        case Kind::moved:
          round.moved.emplace_back(red.slot, endpoint_of(red.host, red.port));
          break;
        case Kind::ask:
          round.asked.emplace_back(i, endpoint_of(red.host, red.port));
          break;
        case Kind::transient:
          if (report_split && is_split_slot_error(r.str())) {
            out[i].emplace(std::move(r));  // the caller has a fallback
            continue;
          }
          round.transient = true;
          break;
        case Kind::other:
          out[i].emplace(std::move(r));  // the caller's business (NOSCRIPT, WRONGTYPE, ...)
          continue;
      }
      round.last_error = std::string(r.str()) + " from " + endpoint;
      round.last_slot = slots[i];
      out[i].emplace(std::move(r));
      round.retry.push_back(i);
    }
  }
}

}  // namespace

std::vector<Reply> ClusterClient::pipeline(std::string_view route_key,
                                           std::span<const std::vector<std::string_view>> cmds) {
  const std::vector<std::string_view> keys(cmds.size(), route_key);
  return pipeline_routed(keys, cmds);
}

std::vector<Reply> ClusterClient::pipeline_routed(
    std::span<const std::string_view> route_keys,
    std::span<const std::vector<std::string_view>> cmds) {
  return pipeline_on(route_keys, cmds, OnSplit::retry);
}

std::vector<Reply> ClusterClient::pipeline_routed_unless_split(
    std::span<const std::string_view> route_keys,
    std::span<const std::vector<std::string_view>> cmds) {
  return pipeline_on(route_keys, cmds, OnSplit::report);
}

std::vector<Reply> ClusterClient::pipeline_on(std::span<const std::string_view> route_keys,
                                              std::span<const std::vector<std::string_view>> cmds,
                                              OnSplit on_split) {
  const std::size_t n = cmds.size();
  std::vector<unsigned> slots(n);
  for (std::size_t i = 0; i < n; ++i) slots[i] = key_slot(route_keys[i]);
  std::vector<std::optional<Reply>> out(n);
  std::vector<std::shared_ptr<Pool>> ask_to(n);  // ASK targets for the next round
  std::vector<std::size_t> pending(n);
  std::iota(pending.begin(), pending.end(), std::size_t{0});
  Retries used;
  while (!pending.empty()) {
    const auto map = ready_snapshot();
    // Each ASK applies to one attempt; with `map`, `asked` keeps every batch's
    // pool alive until the round ends.
    const auto asked = std::exchange(ask_to, std::vector<std::shared_ptr<Pool>>(n));
    auto batches = group_by_node(pending, slots, asked, *map, cmds);
    const std::uint64_t seen = attempts_.load();
    exchange(batches);
    PipelineRound round;
    read_replies(batches, cmds, slots, on_split == OnSplit::report, out, round);
    if (round.retry.empty()) break;
    follow(round, ask_to);
    charge(round, seen, n, used);
    std::sort(round.retry.begin(), round.retry.end());  // keep call order within each node
    pending = std::move(round.retry);
  }
  std::vector<Reply> replies;
  replies.reserve(n);
  for (auto& r : out) replies.push_back(std::move(*r));
  return replies;
}

void ClusterClient::follow(const PipelineRound& round, std::vector<std::shared_ptr<Pool>>& ask_to) {
  for (const auto& [slot, endpoint] : round.moved) patch(slot, endpoint);
  for (const auto& [i, endpoint] : round.asked) ask_to[i] = pool_for(endpoint);
  if (!round.moved.empty()) request_refresh();
}

void ClusterClient::charge(const PipelineRound& round, std::uint64_t seen_attempts,
                           std::size_t commands, Retries& used) {
  // A node failed (one or several at once): refresh, then retry its commands
  // once; a second failure, or no node answering the refresh, is reported.
  if (round.io_error != nullptr) {
    if (used.io || !refreshed(seen_attempts)) std::rethrow_exception(round.io_error);
    used.io = true;
  }
  const bool redirected = !round.moved.empty() || !round.asked.empty();
  if (redirected && ++used.redirects > kMaxRedirects) {
    throw MovedError("redis_cache: gave up on a pipeline of " + std::to_string(commands) +
                     " commands after " + std::to_string(kMaxRedirects) +
                     " rounds of cluster redirections, the last: " + round.last_error + " (slot " +
                     std::to_string(round.last_slot) +
                     "); the cluster is resharding or its nodes disagree on the slot map");
  }
  if (round.transient) {
    if (++used.transient > kMaxTransient) {
      throw_reply_error(round.last_error.substr(0, round.last_error.find(" from ")),
                        "a pipeline on " + describe() + " (still failing after " +
                            std::to_string(kMaxTransient) + " retries)");
    }
    backoff(used.transient);
  }
}

}  // namespace redis_cache::detail
