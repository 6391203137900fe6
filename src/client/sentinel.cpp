// SentinelClient: finding the master through the sentinels, switching to a
// new one, and the Client calls with their re-resolution rules (see
// sentinel.hpp). The +switch-master listener is in sentinel_listener.cpp.
#include "client/sentinel.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {
namespace {

using namespace std::chrono_literals;

std::string endpoint(const std::string& host, int port) {
  ConnectionConfig c;
  c.host = host;
  c.port = port;
  return c.endpoint();
}

/// Jittered exponential backoff after the n-th consecutive failed resolution:
/// 50 ms doubling up to 1 s, each drawn from 50..100 % of that.
std::chrono::milliseconds backoff_after(int failures) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const long long cap = std::min(1000LL, 50LL << std::min(std::max(failures - 1, 0), 5));
  std::uniform_int_distribution<long long> dist(cap / 2, cap);
  return std::chrono::milliseconds(dist(rng));
}

/// An error reply that says the node is no longer a usable master: a demoted
/// master (READONLY) or a replica that lost its master (MASTERDOWN).
bool demoted_reply(std::string_view s) {
  return s.starts_with("READONLY") || s.starts_with("MASTERDOWN") ||
         s.find("-READONLY") != std::string_view::npos;
}

bool demoted_error(const ReplyError& e) {
  const std::string_view w = e.what();
  return w.find(": READONLY") != std::string_view::npos ||
         w.find(": MASTERDOWN") != std::string_view::npos ||
         w.find("READONLY You can't write") != std::string_view::npos;
}

bool has_demoted_reply(const std::vector<Reply>& replies) {
  return std::any_of(replies.begin(), replies.end(), [](const Reply& r) {
    return r.type() == ReplyType::error && demoted_reply(r.str());
  });
}

/// What each sentinel said during one resolution, for the error message.
struct Findings {
  std::vector<std::string> tried;   // "host:port" of every sentinel asked
  std::vector<std::string> causes;  // one line per failure
  int unreachable = 0, unknown = 0, auth = 0, bad_master = 0;
};

}  // namespace

SentinelClient::SentinelClient(SentinelConfig cfg) : cfg_(std::move(cfg)) {
  describe_ = cfg_.node.tls ? "rediss+sentinel://" : "redis+sentinel://";
  for (std::size_t i = 0; i < cfg_.sentinels.size(); ++i) {
    if (i > 0) describe_ += ',';
    describe_ += endpoint(cfg_.sentinels[i].first, cfg_.sentinels[i].second);
  }
  describe_ += "/" + cfg_.master_name;
  listener_ = std::thread([this] { listen(); });
}

SentinelClient::~SentinelClient() {
  {
    std::lock_guard lock(bg_mu_);
    stop_ = true;
  }
  bg_cv_.notify_all();
  if (listener_.joinable()) listener_.join();
}

std::string SentinelClient::describe() const {
  return describe_;
}

std::string SentinelClient::known_master() const {
  std::lock_guard lock(mu_);
  return pool_ != nullptr ? pool_->config().endpoint() : std::string();
}

PoolGauges SentinelClient::pool_gauges() {
  std::shared_ptr<Pool> pool;
  {
    std::lock_guard lock(mu_);  // held to copy the pointer, as each call does
    pool = pool_;
  }
  return pool != nullptr ? pool->gauges() : PoolGauges{};
}

std::string SentinelClient::master() {
  return current().pool->config().endpoint();
}

ConnectionConfig SentinelClient::master_config() {
  return current().pool->config();
}

void SentinelClient::resolve() {
  resolve_after(attempts_.load());
}

// -- finding the master --------------------------------------------------------

SentinelClient::Current SentinelClient::current() {
  {
    std::lock_guard lock(mu_);
    if (pool_ != nullptr) return {pool_, attempts_.load()};
  }
  resolve_after(attempts_.load());
  std::lock_guard lock(mu_);
  if (pool_ != nullptr) return {pool_, attempts_.load()};
  throw ConnectionError("redis_cache: no master known for '" + cfg_.master_name + "' via " +
                        describe_ + " (a failover may be in progress); retrying shortly");
}

void SentinelClient::resolve_after(std::uint64_t seen_attempts) {
  std::lock_guard lock(resolve_mu_);
  // An attempt made while we waited is as fresh as ours would be: share it.
  if (attempts_.load() != seen_attempts) {
    if (last_error_ != nullptr) std::rethrow_exception(last_error_);
    return;
  }
  // While no master is known, attempts are spaced by a jittered backoff; in
  // between, callers get the last failure at once.
  if (last_error_ != nullptr && std::chrono::steady_clock::now() < retry_at_) {
    std::rethrow_exception(last_error_);
  }
  attempts_.fetch_add(1);
  try {
    locate();
    last_error_ = nullptr;
    failures_ = 0;
  } catch (...) {
    last_error_ = std::current_exception();
    retry_at_ = std::chrono::steady_clock::now() + backoff_after(++failures_);
    throw;
  }
}

void SentinelClient::confirm_and_install(const std::string& host, int port) {
  ConnectionConfig node = cfg_.node;
  node.host = host;
  node.port = port;
  node.socket_path.clear();
  std::string role;
  {
    Connection conn(node);
    const std::array<std::string_view, 1> argv{"ROLE"};
    const Reply r = conn.command(argv);  // throws: refused, timeout, AUTH failure...
    if (r.type() == ReplyType::array && r.size() > 0) role = std::string(r[0].str());
  }
  if (role != "master") {
    throw ConnectionError(
        "it says it is a " +
        (role == "slave" ? std::string("replica (ROLE slave)") : "'" + role + "' (ROLE)") +
        ", not a master");
  }
  std::lock_guard lock(mu_);
  if (pool_ != nullptr && pool_->config().endpoint() == node.endpoint()) return;
  pool_ = std::make_shared<Pool>(std::move(node));
  generation_.fetch_add(1);
}

void SentinelClient::locate() {
  Findings f;
  const std::size_t n = cfg_.sentinels.size();
  const std::size_t first = preferred_.load() % n;
  // A master address several sentinels name is checked once per resolution.
  std::vector<std::pair<std::string, std::string>> checked;  // endpoint → failure
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (first + k) % n;
    const ConnectionConfig scfg = cfg_.sentinel_config(i);
    const std::string where = scfg.endpoint();
    f.tried.push_back(where);
    std::string host;
    int port = 0;
    try {
      Connection conn(scfg);
      const std::array<std::string_view, 3> argv{"SENTINEL", "get-master-addr-by-name",
                                                 cfg_.master_name};
      const Reply r = conn.command(argv);
      if (r.type() == ReplyType::nil || (r.type() == ReplyType::array && r.size() == 0)) {
        ++f.unknown;
        f.causes.push_back("sentinel " + where + " monitors no master named '" + cfg_.master_name +
                           "'");
        continue;
      }
      if (r.type() != ReplyType::array || r.size() != 2) {
        ++f.unreachable;
        f.causes.push_back("sentinel " + where +
                           " gave an unexpected reply to SENTINEL get-master-addr-by-name");
        continue;
      }
      host = std::string(r[0].str());
      const auto p = r[1].str();
      std::from_chars(p.data(), p.data() + p.size(), port);
    } catch (const AuthError& e) {
      ++f.auth;
      f.causes.push_back("sentinel " + where +
                         " refused authentication: set sentinel_password (and sentinel_user "
                         "for an ACL user) in the URL's query to the sentinels' own "
                         "credentials; the password in the userinfo is the master's (" +
                         std::string(e.what()) + ")");
      continue;
    } catch (const ReplyError& e) {
      ++f.unreachable;
      f.causes.push_back("sentinel " + where +
                         " refused SENTINEL get-master-addr-by-name (is it "
                         "a sentinel?): " +
                         std::string(e.what()));
      continue;
    } catch (const Error& e) {
      ++f.unreachable;
      f.causes.push_back("sentinel " + where + " is unreachable: " + std::string(e.what()));
      continue;
    }
    const std::string ep = endpoint(host, port);
    const auto seen =
        std::find_if(checked.begin(), checked.end(), [&](const auto& c) { return c.first == ep; });
    std::string failure;
    if (seen != checked.end()) {
      failure = seen->second;
    } else {
      try {
        confirm_and_install(host, port);
        preferred_ = i;
        return;
      } catch (const Error& e) {
        failure = e.what();
        checked.emplace_back(ep, failure);
      }
    }
    ++f.bad_master;
    f.causes.push_back("sentinel " + where + " names " + ep + " as the master, but " + ep +
                       " is not usable: " + failure);
  }
  if (f.bad_master > 0) {
    // The sentinels name a master that is down or demoted: calls fail fast
    // (instead of each waiting on it) until a resolution finds the new one.
    std::lock_guard lock(mu_);
    pool_ = nullptr;
  }
  std::string tried;
  for (const auto& t : f.tried) tried += (tried.empty() ? "" : ", ") + t;
  std::string headline;
  if (f.bad_master > 0) {
    headline = "the master the sentinels name for '" + cfg_.master_name +
               "' refuses connections or is not a master (a failover may be in progress)";
  } else if (f.auth > 0) {
    headline = "sentinel authentication failed";
  } else if (f.unknown > 0) {
    headline = "unknown master name '" + cfg_.master_name +
               "': no sentinel monitors a master of that name (check the name after the "
               "addresses in the redis+sentinel:// URL; SENTINEL MASTERS lists them)";
  } else {
    headline = "no sentinel reachable";
  }
  std::string causes;
  for (const auto& c : f.causes) causes += (causes.empty() ? "" : "; ") + c;
  throw ConnectionError("redis_cache: cannot find the master '" + cfg_.master_name +
                        "' through Sentinel: " + headline + " (tried " + tried + "): " + causes);
}

// -- the Client calls ------------------------------------------------------------

bool SentinelClient::moved_on(const Current& was) {
  try {
    resolve_after(was.seen_attempts);
  } catch (const Error&) {
    // Reported by the caller's own error.
  }
  std::lock_guard lock(mu_);
  return pool_ != nullptr && pool_ != was.pool;
}

template <class Op>
auto SentinelClient::run(Op&& op, bool retry) {
  const Current cur = current();
  std::exception_ptr failure;
  try {
    auto out = op(*cur.pool->acquire());
    if constexpr (std::is_same_v<decltype(out), std::vector<Reply>>) {
      if (!has_demoted_reply(out)) return out;
      failure = std::make_exception_ptr(ConnectionError(
          "redis_cache: the master of '" + cfg_.master_name + "' at " +
          cur.pool->config().endpoint() +
          " refuses writes (READONLY / MASTERDOWN): a failover demoted it; asking the sentinels "
          "for the new master"));
    } else {
      return out;
    }
  } catch (const CircuitOpenError&) {
    throw;  // no I/O was tried: the failures that opened it already asked the sentinels
  } catch (const ConnectionError&) {
    failure = std::current_exception();
  } catch (const ReplyError& e) {
    if (!demoted_error(e)) throw;
    failure = std::make_exception_ptr(
        ConnectionError(std::string(e.what()) + " (the master of '" + cfg_.master_name +
                        "' was demoted by a failover; asking the sentinels for the new one)"));
  }
  if (!moved_on(cur) || !retry) std::rethrow_exception(failure);
  return op(*current().pool->acquire());  // once, on the master now in use
}

Reply SentinelClient::command(std::string_view /*route_key*/, Argv argv) {
  return run([&](Connection& c) { return c.command(argv); }, true);
}

std::vector<Reply> SentinelClient::pipeline(std::string_view /*route_key*/,
                                            std::span<const std::vector<std::string_view>> cmds) {
  return run([&](Connection& c) { return c.pipeline(cmds); }, true);
}

std::vector<Reply> SentinelClient::pipeline_routed(
    std::span<const std::string_view> /*route_keys*/,
    std::span<const std::vector<std::string_view>> cmds) {
  return run([&](Connection& c) { return c.pipeline(cmds); }, true);
}

Reply SentinelClient::eval(std::string_view /*route_key*/, const Script& script,
                           std::span<const std::string_view> keys,
                           std::span<const std::string_view> args) {
  return run([&](Connection& c) { return detail::eval(c, script, keys, args); }, true);
}

void SentinelClient::with_node(std::string_view /*route_key*/,
                               const std::function<void(Connection&)>& fn) {
  // Not retried: fn may have done part of its work (a SCAN's batches).
  run(
      [&](Connection& c) {
        fn(c);
        return 0;
      },
      false);
}

void SentinelClient::for_each_node(const std::function<void(Connection&)>& fn) {
  with_node({}, fn);
}

}  // namespace redis_cache::detail
