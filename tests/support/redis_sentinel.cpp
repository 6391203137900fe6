// A private Redis Sentinel set-up for tests (see redis_sentinel.hpp).
#include "support/redis_sentinel.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <redis_cache/errors.hpp>

#include "client/connection.hpp"

namespace rc_test {
namespace {

using namespace std::chrono_literals;
namespace rd = redis_cache::detail;

rd::ConnectionConfig config_for(int port, const std::string& password,
                                const rc_test::TlsServerFiles& tls) {
  rd::ConnectionConfig c;
  if (!tls.cert.empty()) {  // the server's certificate doubles as the client's
    c.tls = true;
    c.tls_options.ca_file = tls.ca;
    c.tls_options.cert_file = tls.cert;
    c.tls_options.key_file = tls.key;
  }
  c.host = "127.0.0.1";
  c.port = port;
  c.password = password;
  c.client_name = "";
  c.connect_timeout = 1000ms;
  c.command_timeout = 1000ms;
  return c;
}

void flatten(const rd::ReplyRef& r, std::vector<std::string>& out) {
  if (r.type() == rd::ReplyType::array) {
    for (std::size_t i = 0; i < r.size(); ++i) flatten(r[i], out);
  } else if (r.type() == rd::ReplyType::integer) {
    out.push_back(std::to_string(r.integer()));
  } else {
    out.emplace_back(r.str());
  }
}

std::vector<std::string> run(int port, const std::string& password,
                             const rc_test::TlsServerFiles& tls,
                             const std::vector<std::string>& argv) {
  rd::Connection c(config_for(port, password, tls));
  std::vector<std::string_view> args(argv.begin(), argv.end());
  const rd::Reply r = c.command(args);
  std::vector<std::string> out;
  flatten(r, out);
  return out;
}

/// value of `key` in a flat [k1, v1, k2, v2, ...] list ("" if absent).
std::string field(const std::vector<std::string>& kv, std::string_view key) {
  for (std::size_t i = 0; i + 1 < kv.size(); i += 2)
    if (kv[i] == key) return kv[i + 1];
  return "";
}

/// Polls pred every 10 ms until it holds or timeout passes; throws `what` then.
template <class Pred>
void poll(Pred&& pred, std::chrono::milliseconds timeout, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (pred()) return;
    } catch (const redis_cache::Error&) {
      // not there yet
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("RedisSentinels: " + what);
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace

RedisSentinels::RedisSentinels(SentinelSetup setup) : setup_(std::move(setup)) {
  std::vector<std::string> data_args = {"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay",
                                        "0"};
  if (!setup_.data_password.empty()) {
    data_args.insert(data_args.end(),
                     {"--requirepass", setup_.data_password, "--masterauth", setup_.data_password});
  }
  const bool tls = !setup_.tls.cert.empty();
  // TLS: replicas and sentinels reach the master over TLS, and every node
  // announces its TLS port (the one a sentinel then names).
  if (tls) data_args.insert(data_args.end(), {"--tls-replication", "yes"});
  const auto start = [&](std::vector<std::string> args, std::string conf = {}) {
    return tls ? std::make_unique<RedisServer>(setup_.tls, std::move(args), std::move(conf))
               : std::make_unique<RedisServer>(std::move(args), std::move(conf));
  };
  nodes_.push_back(start(data_args));
  const std::string master_port = std::to_string(nodes_[0]->port());
  for (int i = 0; i < setup_.replicas; ++i) {
    auto args = data_args;
    args.insert(args.end(), {"--replicaof", "127.0.0.1", master_port});
    nodes_.push_back(start(args));
  }
  // Replicas in sync before the sentinels start: a sentinel's first INFO of
  // the master then lists them (the next one comes 10 s later).
  poll(
      [&] {
        const auto info =
            run(nodes_[0]->port(), setup_.data_password, setup_.tls, {"INFO", "replication"});
        std::size_t online = 0;
        for (std::size_t p = 0; (p = info.at(0).find("state=online", p)) != std::string::npos; ++p)
          ++online;
        return online == static_cast<std::size_t>(setup_.replicas);
      },
      60s, "the replicas did not come in sync with the master");

  const int quorum = std::min(2, setup_.sentinels);
  std::string conf = "sentinel monitor " + setup_.master_name + " 127.0.0.1 " + master_port + " " +
                     std::to_string(quorum) + "\n" + "sentinel down-after-milliseconds " +
                     setup_.master_name + " 500\n" + "sentinel failover-timeout " +
                     setup_.master_name + " 2000\n" + "sentinel parallel-syncs " +
                     setup_.master_name + " 1\n";
  if (!setup_.data_password.empty())
    conf += "sentinel auth-pass " + setup_.master_name + " " + setup_.data_password + "\n";
  std::vector<std::string> sentinel_args = {"--sentinel"};
  if (tls) sentinel_args.insert(sentinel_args.end(), {"--tls-replication", "yes"});
  if (!setup_.sentinel_password.empty()) {
    conf += "sentinel sentinel-pass " + setup_.sentinel_password + "\n";
    sentinel_args.insert(sentinel_args.end(), {"--requirepass", setup_.sentinel_password});
  }
  for (int i = 0; i < setup_.sentinels; ++i) sentinels_.push_back(start(sentinel_args, conf));
  wait_agreed();
}

RedisSentinels::~RedisSentinels() {
  for (auto& s : sentinels_) s->kill();  // first, so that no failover starts while stopping
}

std::string RedisSentinels::url(const std::string& tail) const {
  std::string u = setup_.tls.cert.empty() ? "redis+sentinel://" : "rediss+sentinel://";
  if (!setup_.data_password.empty()) u += setup_.data_password + "@";
  for (std::size_t i = 0; i < sentinels_.size(); ++i) {
    if (i > 0) u += ",";
    u += "127.0.0.1:" + std::to_string(sentinels_[i]->port());
  }
  return u + "/" + setup_.master_name + tail;
}

std::size_t RedisSentinels::node_of_port(int port) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i]->port() == port) return i;
  throw std::runtime_error("RedisSentinels: no data node on port " + std::to_string(port));
}

std::vector<std::string> RedisSentinels::ask_sentinel(std::size_t i,
                                                      const std::vector<std::string>& argv) const {
  return run(sentinels_.at(i)->port(), setup_.sentinel_password, setup_.tls, argv);
}

std::string RedisSentinels::role(std::size_t i) const {
  if (!nodes_.at(i)->running()) return "";
  try {
    return run(nodes_[i]->port(), setup_.data_password, setup_.tls, {"ROLE"}).at(0);
  } catch (const redis_cache::Error&) {
    return "";
  }
}

int RedisSentinels::wait_agreed(int not_port, std::chrono::milliseconds timeout) {
  int agreed = 0;
  const auto others = std::to_string(sentinels_.size() - 1);
  poll(
      [&] {
        int port = 0;
        for (std::size_t i = 0; i < sentinels_.size(); ++i) {
          if (!sentinels_[i]->running()) continue;
          const auto addr =
              ask_sentinel(i, {"SENTINEL", "get-master-addr-by-name", setup_.master_name});
          if (addr.size() != 2) return false;
          const int p = std::stoi(addr[1]);
          if (p == not_port || (port != 0 && p != port)) return false;
          port = p;
          const auto m = ask_sentinel(i, {"SENTINEL", "master", setup_.master_name});
          if (field(m, "flags") != "master" || field(m, "num-other-sentinels") != others)
            return false;
        }
        if (port == 0 || role(node_of_port(port)) != "master") return false;
        agreed = port;
        return true;
      },
      timeout, "the sentinels did not agree on a master");
  return agreed;
}

int RedisSentinels::failover() {
  const auto before =
      std::stoi(ask_sentinel(0, {"SENTINEL", "get-master-addr-by-name", setup_.master_name}).at(1));
  ask_sentinel(0, {"SENTINEL", "FAILOVER", setup_.master_name});
  return wait_agreed(before);
}

}  // namespace rc_test
