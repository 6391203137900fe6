// ClusterClient: slot routing, redirections and the slot map (see cluster.hpp).
#include "client/cluster.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <utility>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {
namespace {

using namespace std::chrono_literals;

constexpr int kMaxRedirects = 5;        // MOVED / ASK hops per command
constexpr int kMaxTransient = 6;        // TRYAGAIN / CLUSTERDOWN / LOADING retries (~1.3 s)
constexpr auto kPeriodicRefresh = 30s;  // background refresh of a map in use
constexpr auto kMinRefreshGap = 50ms;   // between two requested background refreshes
// After a failed refresh (no node answered CLUSTER SLOTS), callers get that error
// at once for this long instead of trying again. A retry costs up to one timeout
// per known node, so trying at most once a second caps what an outage costs every
// caller together, while a recovered cluster is still noticed within a second.
constexpr auto kFailedRefreshGap = 1s;

using Kind = Redirect::Kind;

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

/// Sleeps 10·2^attempt ms (capped at 400 ms), jittered to 50..100 % so that
/// many clients do not retry in lockstep.
void backoff(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const long long cap = std::min(400LL, 10LL << std::min(attempt, 6));
  std::uniform_int_distribution<long long> dist(cap / 2, cap);
  std::this_thread::sleep_for(std::chrono::milliseconds(dist(rng)));
}

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

std::string_view name_of(Argv argv) {
  return argv.empty() ? std::string_view("(empty command)") : argv[0].substr(0, 32);
}

/// The node serving slot in map (which the caller holds while it uses the node).
Pool& owner_in(const SlotMap& map, unsigned slot) {
  Pool* pool = map.node_for(slot);
  if (pool == nullptr) {
    throw ConnectionError("redis_cache: no cluster node known for slot " + std::to_string(slot));
  }
  return *pool;
}

}  // namespace

// -- CRC16 and slots -----------------------------------------------------------

std::uint16_t crc16(std::string_view data) noexcept {
  // CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection.
  std::uint16_t crc = 0;
  for (const char ch : data) {
    crc ^= static_cast<std::uint16_t>(static_cast<unsigned char>(ch) << 8);
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc;
}

unsigned key_slot(std::string_view key) noexcept {
  // Cluster spec: hash only what is between the first '{' and the first '}'
  // after it, when that is non-empty.
  if (const auto open = key.find('{'); open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return crc16(key) & (kClusterSlots - 1);
}

Redirect parse_redirect(std::string_view err, std::string_view where) {
  Redirect r;
  const auto word = err.substr(0, err.find(' '));
  if (word == "TRYAGAIN" || word == "CLUSTERDOWN" || word == "LOADING" || word == "MASTERDOWN") {
    r.kind = Kind::transient;
    return r;
  }
  if (word != "MOVED" && word != "ASK") return r;
  const auto malformed = [&] {
    throw ProtocolError("redis_cache: malformed cluster redirection '" +
                        std::string(err.substr(0, 100)) + "' in reply to " + std::string(where) +
                        " (expected '" + std::string(word) +
                        " <slot> <host>:<port>'); the node does not speak the Redis Cluster "
                        "protocol as expected");
  };
  // "MOVED <slot> <host>:<port>" (host may be empty, or an unbracketed IPv6 address)
  if (err.size() <= word.size() + 1) malformed();  // a bare "MOVED" or "MOVED "
  const auto rest = err.substr(word.size() + 1);
  const auto sp = rest.find(' ');
  if (sp == std::string_view::npos) malformed();
  const auto slot_s = rest.substr(0, sp);
  const auto ep = rest.substr(sp + 1);
  const auto colon = ep.rfind(':');
  if (colon == std::string_view::npos) malformed();
  const auto port_s = ep.substr(colon + 1);
  unsigned slot = 0;
  int port = 0;
  const auto slot_end = slot_s.data() + slot_s.size();
  const auto port_end = port_s.data() + port_s.size();
  const auto [slot_p, slot_ec] = std::from_chars(slot_s.data(), slot_end, slot);
  const auto [port_p, port_ec] = std::from_chars(port_s.data(), port_end, port);
  if (slot_ec != std::errc{} || slot_p != slot_end || slot >= kClusterSlots ||
      port_ec != std::errc{} || port_p != port_end || port < 1 || port > 65535) {
    malformed();
  }
  auto host = ep.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  r.kind = word == "MOVED" ? Kind::moved : Kind::ask;
  r.slot = slot;
  r.host = std::string(host);
  r.port = port;
  return r;
}

Pool* SlotMap::node_for(unsigned slot) const noexcept {
  const auto i = slots[slot & (kClusterSlots - 1)];
  if (i != kNone) return nodes[i].get();
  return nodes.empty() ? nullptr : nodes.front().get();  // unassigned: MOVED will tell
}

// -- ClusterClient ---------------------------------------------------------------

ClusterClient::ClusterClient(ConnectionConfig node, std::vector<std::pair<std::string, int>> seeds)
    : node_cfg_(std::move(node)), seeds_(std::move(seeds)) {
  auto empty = std::make_shared<SlotMap>();
  empty->slots.fill(SlotMap::kNone);
  map_ = std::move(empty);
  bg_ = std::thread([this] { background(); });
}

ClusterClient::~ClusterClient() {
  {
    std::lock_guard lock(bg_mu_);
    bg_stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
}

std::shared_ptr<const SlotMap> ClusterClient::snapshot() const {
  std::lock_guard lock(map_mu_);
  return map_;
}

std::shared_ptr<const SlotMap> ClusterClient::ready_snapshot() {
  auto map = snapshot();
  if (map->generation != 0) return map;
  refresh_after(attempts_.load(), /*only_if_empty=*/true);
  return snapshot();
}

std::shared_ptr<Pool> ClusterClient::pool_for(std::string_view endpoint) {
  ConnectionConfig cfg = node_cfg_;
  const auto colon = endpoint.rfind(':');
  auto host = endpoint.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  cfg.host = std::string(host);
  cfg.port = 0;
  const auto port = endpoint.substr(colon + 1);
  std::from_chars(port.data(), port.data() + port.size(), cfg.port);
  std::string key = cfg.endpoint();
  std::lock_guard lock(pools_mu_);
  auto& slot = pools_[key];
  if (slot == nullptr) slot = std::make_shared<Pool>(std::move(cfg));
  return slot;
}

void ClusterClient::patch(unsigned slot, std::string_view endpoint) {
  auto pool = pool_for(endpoint);
  std::lock_guard lock(map_mu_);
  auto next = std::make_shared<SlotMap>(*map_);
  auto it = std::find(next->nodes.begin(), next->nodes.end(), pool);
  if (it == next->nodes.end()) {
    next->nodes.push_back(pool);
    it = next->nodes.end() - 1;
  }
  next->slots[slot] = static_cast<std::uint16_t>(it - next->nodes.begin());
  next->generation = next_generation_++;
  map_ = std::move(next);
}

void ClusterClient::refresh_after(std::uint64_t seen_attempts, bool only_if_empty) {
  std::lock_guard lock(refresh_mu_);
  if (only_if_empty && snapshot()->generation != 0) return;
  // An attempt started while we waited (or since the caller's failed command
  // began): its outcome is as fresh as ours would be, so share it. Failed ones
  // matter most: a refresh that finds no node costs a timeout per node.
  const bool shared = attempts_.load() != seen_attempts;
  const bool recent_failure = last_error_ != nullptr &&
                              std::chrono::steady_clock::now() - last_failure_ < kFailedRefreshGap;
  if (shared || recent_failure) {
    if (last_error_ != nullptr) std::rethrow_exception(last_error_);
    return;
  }
  attempts_.fetch_add(1);
  try {
    load_slot_map();
    last_error_ = nullptr;
  } catch (...) {
    last_error_ = std::current_exception();
    last_failure_ = std::chrono::steady_clock::now();
    throw;
  }
}

void ClusterClient::load_slot_map() {
  // Known masters first (they follow failovers), then the seeds.
  // Hold the snapshot: a range-for over snapshot()->nodes would let the
  // temporary shared_ptr die before the loop while a MOVED patch swaps map_.
  const auto current = snapshot();
  std::vector<std::string> candidates;
  for (const auto& pool : current->nodes) candidates.push_back(pool->config().endpoint());
  for (const auto& [host, port] : seeds_) {
    ConnectionConfig c;
    c.host = host;
    c.port = port;
    candidates.push_back(c.endpoint());
  }
  std::vector<std::string> tried;
  std::string last_error;
  for (const auto& ep : candidates) {
    if (std::find(tried.begin(), tried.end(), ep) != tried.end()) continue;
    tried.push_back(ep);
    try {
      auto pool = pool_for(ep);
      const std::array<std::string_view, 2> argv{"CLUSTER", "SLOTS"};
      Reply r = [&] {
        auto lease = pool->acquire();
        return lease->command(argv);
      }();
      if (r.type() != ReplyType::array) {
        last_error = "CLUSTER SLOTS on " + ep + " returned no array";
        continue;
      }
      auto next = std::make_shared<SlotMap>();
      next->slots.fill(SlotMap::kNone);
      std::size_t covered = 0;
      for (std::size_t i = 0; i < r.size(); ++i) {
        const ReplyRef range = r[i];
        if (range.type() != ReplyType::array || range.size() < 3) continue;
        const ReplyRef master = range[2];
        if (master.type() != ReplyType::array || master.size() < 2) continue;
        const long long first = range[0].integer(), last = range[1].integer();
        if (first < 0 || last >= static_cast<long long>(kClusterSlots) || first > last) continue;
        // NIL or "" = the node we asked; "?" = unknown endpoint (leave unassigned:
        // the command goes to any node, whose MOVED tells the way).
        std::string host(master[0].str());
        if (host == "?") continue;
        if (host.empty()) host = pool->config().host;
        ConnectionConfig c;
        c.host = host;
        c.port = static_cast<int>(master[1].integer());
        auto node = pool_for(c.endpoint());
        auto it = std::find(next->nodes.begin(), next->nodes.end(), node);
        if (it == next->nodes.end()) {
          next->nodes.push_back(node);
          it = next->nodes.end() - 1;
        }
        const auto idx = static_cast<std::uint16_t>(it - next->nodes.begin());
        for (long long s = first; s <= last; ++s) next->slots[static_cast<std::size_t>(s)] = idx;
        covered += static_cast<std::size_t>(last - first + 1);
      }
      if (covered == 0) {
        last_error = ep + " serves no slots (is the cluster created?)";
        continue;
      }
      {
        std::lock_guard map_lock(map_mu_);
        next->generation = next_generation_++;
        map_ = std::move(next);
      }
      refreshes_.fetch_add(1);
      return;
    } catch (const ReplyError& e) {
      const std::string what = e.what();
      if (what.find("cluster support disabled") != std::string::npos) {
        throw ConfigError("redis_cache: " + ep +
                          " is not a cluster node (cluster support disabled); use a redis:// URL "
                          "for a single server, redis+cluster:// only for a Redis Cluster");
      }
      last_error = what;
    } catch (const Error& e) {
      last_error = e.what();
    }
  }
  std::string list;
  for (const auto& ep : tried) list += (list.empty() ? "" : ", ") + ep;
  throw ConnectionError(
      "redis_cache: cannot read the Redis Cluster slot map: no node answered "
      "CLUSTER SLOTS (tried " +
      list + "); last error: " + last_error + ". Check the seed nodes in the redis+cluster:// URL");
}

void ClusterClient::refresh() {
  refresh_after(attempts_.load());
}

bool ClusterClient::refreshed(std::uint64_t seen_attempts) {
  try {
    refresh_after(seen_attempts);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void ClusterClient::request_refresh() noexcept {
  {
    std::lock_guard lock(bg_mu_);
    bg_requested_ = true;
  }
  bg_cv_.notify_one();
}

void ClusterClient::background() {
  std::unique_lock lock(bg_mu_);
  while (!bg_stop_) {
    bg_cv_.wait_for(lock, kPeriodicRefresh, [this] { return bg_stop_ || bg_requested_; });
    if (bg_stop_) break;
    const bool requested = std::exchange(bg_requested_, false);
    lock.unlock();
    // Periodic refreshes only for a map in use; requested ones always.
    if (requested || snapshot()->generation != 0) {
      try {
        refresh_after(attempts_.load());
      } catch (const std::exception&) {
        // The next command that fails refreshes (and reports) again.
      }
    }
    lock.lock();
    // Coalesce bursts of MOVED: at most one requested refresh per gap.
    bg_cv_.wait_for(lock, kMinRefreshGap, [this] { return bg_stop_; });
  }
}

template <class Op>
Reply ClusterClient::route(std::string_view route_key, std::string_view what, Op&& op) {
  const unsigned slot = key_slot(route_key);
  std::shared_ptr<Pool> ask;  // the ASK target, for the next attempt only
  int redirects = 0, transient = 0;
  bool io_retried = false;
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
      if (io_retried || !refreshed(seen)) throw;  // nothing answers: the original failure
      io_retried = true;
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
      case Kind::ask: {
        if (++redirects > kMaxRedirects) {
          throw MovedError("redis_cache: gave up on " + where + " (slot " + std::to_string(slot) +
                           ") after " + std::to_string(kMaxRedirects) +
                           " cluster redirections, the last: " + std::string(err) +
                           "; the cluster is resharding or its nodes disagree on the slot map");
        }
        ConnectionConfig c;
        c.host = r.host;
        c.port = r.port;
        if (r.kind == Kind::moved) {
          patch(r.slot, c.endpoint());
          request_refresh();
        } else {
          ask = pool_for(c.endpoint());
        }
        continue;
      }
      case Kind::transient:
        if (++transient > kMaxTransient) {
          throw_reply_error(
              err, where + " (still failing after " + std::to_string(kMaxTransient) + " retries)");
        }
        if (starts_with(err, "CLUSTERDOWN") || starts_with(err, "MASTERDOWN")) request_refresh();
        backoff(transient);
        continue;
      case Kind::other:
        throw_reply_error(err, where);
    }
  }
}

Reply ClusterClient::command(std::string_view route_key, Argv argv) {
  return route(route_key, name_of(argv),
               [&](Connection& conn, bool asking) { return send(conn, argv, asking); });
}

Reply ClusterClient::eval(std::string_view route_key, const Script& script,
                          std::span<const std::string_view> keys,
                          std::span<const std::string_view> args) {
  const std::string numkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(script.sha1());
  argv.push_back(numkeys);
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return route(route_key, "EVALSHA", [&](Connection& conn, bool asking) {
    Reply r = send(conn, argv, asking);
    if (r.type() != ReplyType::error || !starts_with(r.str(), "NOSCRIPT")) return r;
    // Not loaded on this node (first use, restart, failover): EVAL loads it, same node.
    auto eval_argv = argv;
    eval_argv[0] = "EVAL";
    eval_argv[1] = script.body();
    return send(conn, eval_argv, asking);
  });
}

std::vector<Reply> ClusterClient::pipeline(std::string_view route_key,
                                           std::span<const std::vector<std::string_view>> cmds) {
  const std::vector<std::string_view> keys(cmds.size(), route_key);
  return pipeline_routed(keys, cmds);
}

namespace {

/// The commands of one pipeline_routed round for one node, and what came back.
struct Batch {
  Pool* pool = nullptr;                               // alive while the round's map is held
  std::vector<std::size_t> idx{};                     // the caller's indices, in call order
  std::vector<bool> asking{};                         // per idx: after an ASK redirection
  std::vector<std::vector<std::string_view>> cmds{};  // as sent (ASKING before those)
  std::vector<Reply> replies{};                       // one per entry of cmds
  std::exception_ptr failed{};                        // a ConnectionError while sending or reading
};

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

}  // namespace

std::vector<Reply> ClusterClient::pipeline_routed(
    std::span<const std::string_view> route_keys,
    std::span<const std::vector<std::string_view>> cmds) {
  const std::size_t n = cmds.size();
  std::vector<std::optional<Reply>> out(n);
  std::vector<unsigned> slots(n);
  for (std::size_t i = 0; i < n; ++i) slots[i] = key_slot(route_keys[i]);
  std::vector<std::shared_ptr<Pool>> ask_to(n);
  std::vector<std::size_t> pending(n);
  for (std::size_t i = 0; i < n; ++i) pending[i] = i;
  int redirect_rounds = 0, transient_rounds = 0;
  bool io_retried = false;

  while (!pending.empty()) {
    const auto map = ready_snapshot();
    // ASK targets of this round (each ASK applies to one attempt); with `map`,
    // they keep every batch's pool alive until the round ends.
    const std::vector<std::shared_ptr<Pool>> asked = std::exchange(ask_to, decltype(ask_to)(n));
    std::vector<Batch> batches;  // one per node; few nodes, linear search
    for (const std::size_t i : pending) {
      const bool asking = asked[i] != nullptr;
      Pool* pool = asking ? asked[i].get() : &owner_in(*map, slots[i]);
      auto b = std::find_if(batches.begin(), batches.end(),
                            [&](const Batch& x) { return x.pool == pool; });
      if (b == batches.end()) b = batches.insert(batches.end(), Batch{.pool = pool});
      b->idx.push_back(i);
      b->asking.push_back(asking);
      if (asking) b->cmds.push_back({"ASKING"});  // applies to the next command only
      b->cmds.push_back(cmds[i]);
    }
    // Every thread takes its connections in one global order: two pipelines
    // that each hold one node's last connection never wait for each other.
    std::sort(batches.begin(), batches.end(),
              [](const Batch& a, const Batch& b) { return std::less<>{}(a.pool, b.pool); });
    const std::uint64_t seen = attempts_.load();
    exchange(batches);

    std::vector<std::size_t> next;
    bool moved = false, redirected = false, transient = false;
    std::string last_error;
    unsigned last_slot = 0;
    std::exception_ptr io_error;  // the first ConnectionError of this round
    for (auto& b : batches) {
      if (b.failed != nullptr) {
        if (io_error == nullptr) io_error = b.failed;
        next.insert(next.end(), b.idx.begin(), b.idx.end());
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
        Redirect red =
            parse_redirect(r.str(), std::string(name_of(cmds[i])) + " in a pipeline on " +
                                        b.pool->config().endpoint());
        if (red.host.empty()) red.host = b.pool->config().host;
        ConnectionConfig c;
        c.host = red.host;
        c.port = red.port;
        switch (red.kind) {
          case Kind::moved:
            patch(red.slot, c.endpoint());
            moved = redirected = true;
            break;
          case Kind::ask:
            ask_to[i] = pool_for(c.endpoint());
            redirected = true;
            break;
          case Kind::transient:
            transient = true;
            break;
          case Kind::other:
            out[i].emplace(std::move(r));  // the caller's business (NOSCRIPT, WRONGTYPE, ...)
            continue;
        }
        last_error = std::string(r.str()) + " from " + b.pool->config().endpoint();
        last_slot = slots[i];
        out[i].emplace(std::move(r));
        next.push_back(i);
      }
    }
    if (next.empty()) break;
    // A node failed (one or several at once): refresh, then retry its commands
    // once; a second failure, or no node answering the refresh, is reported.
    if (io_error != nullptr) {
      if (io_retried || !refreshed(seen)) std::rethrow_exception(io_error);
      io_retried = true;
    }
    if (moved) request_refresh();
    if (redirected && ++redirect_rounds > kMaxRedirects) {
      throw MovedError("redis_cache: gave up on a pipeline of " + std::to_string(n) +
                       " commands after " + std::to_string(kMaxRedirects) +
                       " rounds of cluster redirections, the last: " + last_error + " (slot " +
                       std::to_string(last_slot) +
                       "); the cluster is resharding or its nodes disagree on the slot map");
    }
    if (transient) {
      if (++transient_rounds > kMaxTransient) {
        throw_reply_error(last_error.substr(0, last_error.find(" from ")),
                          "a pipeline on " + describe() + " (still failing after " +
                              std::to_string(kMaxTransient) + " retries)");
      }
      backoff(transient_rounds);
    }
    std::sort(next.begin(), next.end());  // keep call order within each node
    pending = std::move(next);
  }
  std::vector<Reply> replies;
  replies.reserve(n);
  for (auto& r : out) replies.push_back(std::move(*r));
  return replies;
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

std::shared_ptr<const SlotMap> ClusterClient::slot_map() {
  return ready_snapshot();
}

std::string ClusterClient::node_of(unsigned slot) {
  const auto map = ready_snapshot();
  return owner_in(*map, slot).config().endpoint();
}

std::string ClusterClient::describe() const {
  std::string s = "redis+cluster://";
  for (std::size_t i = 0; i < seeds_.size(); ++i) {
    ConnectionConfig c;
    c.host = seeds_[i].first;
    c.port = seeds_[i].second;
    if (i > 0) s += ',';
    s += c.endpoint();
  }
  return s;
}

}  // namespace redis_cache::detail
