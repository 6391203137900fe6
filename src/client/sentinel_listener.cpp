// SentinelClient's listener thread (see sentinel.hpp): one connection
// SUBSCRIBEd to +switch-master on a sentinel, kept alive by PING with a
// deadline, moved to the next sentinel when it fails; a switch announced for
// our master is applied at once.
#include <array>
#include <charconv>
#include <random>
#include <system_error>
#include <vector>

#include <redis_cache/errors.hpp>

#include "client/sentinel.hpp"

namespace redis_cache::detail {
namespace {

using namespace std::chrono_literals;

constexpr auto kPingEvery = 500ms;  // a quiet subscription is checked this often
constexpr auto kPoll = 50ms;        // how often the thread looks at its stop flag
constexpr std::string_view kChannel = "+switch-master";

/// The deadline for a sentinel's reply (command_timeout; 1 s if that is 0 = forever).
std::chrono::milliseconds reply_deadline(const ConnectionConfig& c) {
  return c.command_timeout.count() > 0 ? c.command_timeout : std::chrono::milliseconds(1000);
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const auto sp = s.find(' ');
    if (sp != 0) out.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  return out;
}

}  // namespace

bool SentinelClient::wait_or_stop(std::chrono::milliseconds d) {
  std::unique_lock lock(bg_mu_);
  bg_cv_.wait_for(lock, d, [this] { return stop_.load(); });
  return stop_.load();
}

void SentinelClient::listen() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const std::size_t n = cfg_.sentinels.size();
  std::size_t i = preferred_.load() % n;
  int failures = 0;
  while (!stop_.load()) {
    Connection sub(cfg_.sentinel_config(i));
    try {
      subscribe_and_watch(sub);  // returns only when stopping
    } catch (const Error&) {
      // Lost (or never had) the subscription: the next sentinel. After a whole
      // round without success, back off (jittered, up to 1 s).
      listening_ = false;
      i = (i + 1) % n;
      if (++failures % static_cast<int>(n) == 0) {
        const long long cap = std::min(1000LL, 50LL << std::min(failures / static_cast<int>(n), 5));
        std::uniform_int_distribution<long long> dist(cap / 2, cap);
        if (wait_or_stop(std::chrono::milliseconds(dist(rng)))) break;
      }
      continue;
    }
    failures = 0;
  }
  listening_ = false;
}

void SentinelClient::subscribe_and_watch(Connection& sub) {
  const auto deadline_of = reply_deadline(sub.config());
  const std::array<std::string_view, 2> subscribe{"SUBSCRIBE", kChannel};
  sub.send(subscribe);
  // The subscription's confirmation (or an error: NOAUTH, not a sentinel...).
  const auto until = std::chrono::steady_clock::now() + deadline_of;
  for (;;) {
    if (stop_.load()) return;
    auto r = sub.receive(kPoll);
    if (r) {
      if (r->type() == ReplyType::array && r->size() >= 1 && r->operator[](0).str() == "subscribe")
        break;
      throw ConnectionError("redis_cache: sentinel " + sub.config().endpoint() +
                            " refused SUBSCRIBE " + std::string(kChannel) + ": " +
                            std::string(r->str()));
    }
    if (std::chrono::steady_clock::now() > until) {
      throw TimeoutError("redis_cache: sentinel " + sub.config().endpoint() +
                         " did not confirm SUBSCRIBE in time");
    }
  }
  listening_ = true;
  subscriptions_.fetch_add(1);
  // A switch may have happened while nobody listened: check the master in use.
  if (!known_master().empty()) {
    try {
      resolve();
    } catch (const Error&) {
      // Callers see it (and retry) on their next call.
    }
  }
  auto last_heard = std::chrono::steady_clock::now();
  bool ping_pending = false;
  const std::array<std::string_view, 1> ping{"PING"};
  while (!stop_.load()) {
    auto r = sub.receive(kPoll);
    const auto now = std::chrono::steady_clock::now();
    if (r) {
      last_heard = now;
      ping_pending = false;
      // ["message", "+switch-master", "<name> <old-ip> <old-port> <new-ip> <new-port>"]
      if (r->type() == ReplyType::array && r->size() == 3 && r->operator[](0).str() == "message" &&
          r->operator[](1).str() == kChannel) {
        const auto w = words(r->operator[](2).str());
        int port = 0;
        if (w.size() == 5 && w[0] == cfg_.master_name &&
            std::from_chars(w[4].data(), w[4].data() + w[4].size(), port).ec == std::errc{}) {
          switch_to(std::string(w[3]), port);
        }
      }
      continue;
    }
    if (!ping_pending && now - last_heard >= kPingEvery) {
      sub.send(ping);
      ping_pending = true;
    } else if (ping_pending && now - last_heard >= kPingEvery + deadline_of) {
      throw TimeoutError("redis_cache: sentinel " + sub.config().endpoint() +
                         " did not answer PING in time");
    }
  }
}

void SentinelClient::switch_to(const std::string& host, int port) {
  std::lock_guard lock(resolve_mu_);
  attempts_.fetch_add(1);  // callers waiting on a resolution share this outcome
  try {
    confirm_and_install(host, port);
    notified_.fetch_add(1);
    last_error_ = nullptr;
    failures_ = 0;
  } catch (const Error& e) {
    // The announced master cannot be confirmed (yet): the old one is wrong in
    // any case. Callers fail fast and ask the sentinels again at once.
    {
      std::lock_guard pool_lock(mu_);
      pool_ = nullptr;
    }
    last_error_ = std::make_exception_ptr(
        ConnectionError("redis_cache: the sentinels announced a new master for '" +
                        cfg_.master_name + "' that cannot be confirmed: " + std::string(e.what())));
    retry_at_ = std::chrono::steady_clock::now();
  }
}

}  // namespace redis_cache::detail
