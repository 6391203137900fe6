// A private Redis Cluster for tests (see redis_cluster.hpp).
#include "support/redis_cluster.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rc_test {
namespace {

using namespace std::chrono_literals;

constexpr unsigned kSlots = 16384;

/// A loopback port nobody listens on now (for the cluster bus: the default
/// port + 10000 may be taken or beyond 65535 for ephemeral ports).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error(std::string("RedisCluster: socket(): ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("RedisCluster: cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// One line of CLUSTER NODES.
struct NodeLine {
  std::string id;
  int port = 0;
  bool master = false;
  bool myself = false;
  bool failed = false;
  std::string master_id;
  std::vector<std::pair<unsigned, unsigned>> ranges;
};

std::vector<NodeLine> parse_nodes(const std::string& text) {
  std::vector<NodeLine> out;
  for (const auto& line : lines(text)) {
    const auto w = words(line);
    if (w.size() < 8) continue;
    NodeLine n;
    n.id = w[0];
    // 127.0.0.1:port@cport[,hostname]
    const auto colon = w[1].rfind(':', w[1].find('@'));
    n.port = std::stoi(w[1].substr(colon + 1, w[1].find('@') - colon - 1));
    n.master = w[2].find("master") != std::string::npos;
    n.myself = w[2].find("myself") != std::string::npos;
    n.failed = w[2].find("fail") != std::string::npos && w[2].find("fail?") == std::string::npos;
    n.master_id = w[3];
    for (std::size_t i = 8; i < w.size(); ++i) {
      if (w[i].empty() || w[i][0] == '[') continue;  // [slot->-id] migration markers
      const auto dash = w[i].find('-');
      const unsigned a = static_cast<unsigned>(std::stoul(w[i].substr(0, dash)));
      const unsigned b =
          dash == std::string::npos ? a : static_cast<unsigned>(std::stoul(w[i].substr(dash + 1)));
      n.ranges.emplace_back(a, b);
    }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace

RedisCluster::RedisCluster(int masters, int replicas, TlsServerFiles tls)
    : tls_(!tls.cert.empty()) {
  const int total = masters * (1 + replicas);
  for (int i = 0; i < total; ++i) {
    std::vector<std::string> args = {"--cluster-enabled",
                                     "yes",
                                     "--cluster-config-file",
                                     "nodes.conf",
                                     "--cluster-port",
                                     std::to_string(free_port()),
                                     "--cluster-node-timeout",
                                     "1500",
                                     "--repl-diskless-sync-delay",
                                     "0",
                                     "--cluster-allow-replica-migration",
                                     "no"};
    if (tls_) {
      args.insert(args.end(), {"--tls-cluster", "yes", "--tls-replication", "yes"});
      nodes_.push_back(std::make_unique<RedisServer>(tls, std::move(args)));
    } else {
      nodes_.push_back(std::make_unique<RedisServer>(std::move(args)));
    }
  }
  std::vector<std::string> args = {"--cluster", "create"};
  for (const auto& n : nodes_) args.push_back("127.0.0.1:" + std::to_string(n->port()));
  if (replicas > 0) args.insert(args.end(), {"--cluster-replicas", std::to_string(replicas)});
  args.push_back("--cluster-yes");
  try {
    nodes_.front()->cli_tcp(args);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("RedisCluster: redis-cli --cluster create failed: ") +
                             e.what());
  }
  wait_ok(15000);
  if (replicas > 0) {
    // Replicas must have synced before a manual failover can succeed.
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      for (;;) {
        const std::string info = cli_on(i, {"INFO", "replication"});
        if (info.find("role:master") != std::string::npos ||
            info.find("master_link_status:up") != std::string::npos) {
          break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error("RedisCluster: replica on port " +
                                   std::to_string(nodes_[i]->port()) + " never synced:\n" + info);
        }
        std::this_thread::sleep_for(20ms);
      }
    }
    // A master must know its replicas (by gossip) before CLUSTER FAILOVER works.
    for (const std::size_t m : this->masters()) {
      const std::string mid = id(m);
      for (;;) {
        int known = 0;
        for (const auto& n : parse_nodes(cli_on(m, {"CLUSTER", "NODES"}))) {
          if (!n.master && n.master_id == mid) ++known;
        }
        if (known >= replicas) break;
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error("RedisCluster: master on port " +
                                   std::to_string(nodes_[m]->port()) +
                                   " never learned of its replicas");
        }
        std::this_thread::sleep_for(20ms);
      }
    }
  }
}

RedisCluster::~RedisCluster() = default;  // each RedisServer kills its process, removes its dir

std::string RedisCluster::url() const {
  std::string s = tls_ ? "rediss+cluster://" : "redis+cluster://";
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (i > 0) s += ',';
    s += "127.0.0.1:" + std::to_string(nodes_[i]->port());
  }
  return s;
}

std::string RedisCluster::url_one(std::size_t i) const {
  return (tls_ ? "rediss+cluster://127.0.0.1:" : "redis+cluster://127.0.0.1:") +
         std::to_string(nodes_[i]->port());
}

std::size_t RedisCluster::index_of_port(int port) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->port() == port) return i;
  }
  throw std::runtime_error("RedisCluster: no node on port " + std::to_string(port));
}

std::size_t RedisCluster::any_running() const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->running()) return i;
  }
  throw std::runtime_error("RedisCluster: no node is running");
}

std::string RedisCluster::cli_on(std::size_t i, const std::vector<std::string>& args) const {
  return nodes_[i]->cli(args);
}

std::string RedisCluster::id(std::size_t i) const {
  return cli_on(i, {"CLUSTER", "MYID"});
}

std::vector<std::size_t> RedisCluster::masters() const {
  std::vector<std::size_t> out;
  for (const auto& n : parse_nodes(cli_on(any_running(), {"CLUSTER", "NODES"}))) {
    if (n.master && !n.failed && !n.ranges.empty()) out.push_back(index_of_port(n.port));
  }
  return out;
}

std::size_t RedisCluster::owner(unsigned slot) const {
  for (const auto& n : parse_nodes(cli_on(any_running(), {"CLUSTER", "NODES"}))) {
    if (!n.master) continue;
    for (const auto& [a, b] : n.ranges) {
      if (slot >= a && slot <= b) return index_of_port(n.port);
    }
  }
  throw std::runtime_error("RedisCluster: no master serves slot " + std::to_string(slot));
}

std::size_t RedisCluster::replica_of(std::size_t master) const {
  // Each replica knows its master at once (the master learns it by gossip).
  const std::string mid = id(master);
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (i == master || !nodes_[i]->running()) continue;
    for (const auto& n : parse_nodes(cli_on(i, {"CLUSTER", "NODES"}))) {
      if (n.myself && !n.master && n.master_id == mid) return i;
    }
  }
  throw std::runtime_error("RedisCluster: node " + std::to_string(master) + " has no replica");
}

std::string RedisCluster::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> a = {"-c"};
  a.insert(a.end(), args.begin(), args.end());
  return nodes_[any_running()]->cli_tcp(a);  // redirects name TCP (TLS) ports
}

void RedisCluster::cli_all_masters(const std::vector<std::string>& args) const {
  for (const std::size_t m : masters()) cli_on(m, args);
}

long long RedisCluster::dbsize() const {
  long long n = 0;
  for (const std::size_t m : masters()) n += std::stoll(cli_on(m, {"DBSIZE"}));
  return n;
}

void RedisCluster::wait_ok(int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string why;
  for (;;) {
    bool ok = true;
    std::vector<int> agreed;
    for (std::size_t i = 0; i < nodes_.size() && ok; ++i) {
      if (!nodes_[i]->running()) continue;
      try {
        if (cli_on(i, {"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) {
          why = "node on port " + std::to_string(nodes_[i]->port()) + " is not cluster_state:ok";
          ok = false;
          break;
        }
        std::vector<int> owner_port(kSlots, 0);
        for (const auto& n : parse_nodes(cli_on(i, {"CLUSTER", "NODES"}))) {
          if (!n.master || n.failed) continue;
          for (const auto& [a, b] : n.ranges) {
            for (unsigned s = a; s <= b && s < kSlots; ++s) owner_port[s] = n.port;
          }
        }
        if (agreed.empty()) {
          agreed = std::move(owner_port);
        } else if (agreed != owner_port) {
          why = "nodes disagree on the slot owners";
          ok = false;
        }
      } catch (const std::exception& e) {
        why = e.what();
        ok = false;
      }
    }
    if (ok) return;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("RedisCluster: not ok within " + std::to_string(timeout_ms) +
                               " ms: " + why);
    }
    std::this_thread::sleep_for(25ms);
  }
}

void RedisCluster::begin_migration(unsigned slot, std::size_t to) {
  const std::size_t from = owner(slot);
  if (from == to) throw std::runtime_error("RedisCluster: slot already on that node");
  const std::string s = std::to_string(slot);
  cli_on(to, {"CLUSTER", "SETSLOT", s, "IMPORTING", id(from)});
  cli_on(from, {"CLUSTER", "SETSLOT", s, "MIGRATING", id(to)});
}

void RedisCluster::migrate_keys(unsigned slot, std::size_t to, std::size_t count) {
  const std::size_t from = owner(slot);
  std::size_t moved = 0;
  for (;;) {
    const std::size_t batch = count == 0 ? 100 : std::min<std::size_t>(100, count - moved);
    if (batch == 0) return;
    const auto keys = lines(
        cli_on(from, {"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), std::to_string(batch)}));
    if (keys.empty()) return;
    std::vector<std::string> args = {"MIGRATE", "127.0.0.1", std::to_string(nodes_[to]->port()),
                                     "",        "0",         "5000",
                                     "REPLACE", "KEYS"};
    args.insert(args.end(), keys.begin(), keys.end());
    const std::string r = cli_on(from, args);
    if (r != "OK") throw std::runtime_error("RedisCluster: MIGRATE answered " + r);
    moved += keys.size();
  }
}

void RedisCluster::finish_migration(unsigned slot, std::size_t to) {
  const std::size_t from = owner(slot);
  const std::string s = std::to_string(slot);
  const std::string to_id = id(to);
  cli_on(to, {"CLUSTER", "SETSLOT", s, "NODE", to_id});
  cli_on(from, {"CLUSTER", "SETSLOT", s, "NODE", to_id});
  for (const std::size_t m : masters()) {
    if (m != to && m != from) cli_on(m, {"CLUSTER", "SETSLOT", s, "NODE", to_id});
  }
  wait_ok();
}

void RedisCluster::move_slot(unsigned slot, std::size_t to) {
  begin_migration(slot, to);
  migrate_keys(slot, to);
  finish_migration(slot, to);
}

void RedisCluster::tell_slot_owner(std::size_t on, unsigned slot, std::size_t owner) {
  const std::string r = cli_on(on, {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", id(owner)});
  if (r != "OK") throw std::runtime_error("RedisCluster: CLUSTER SETSLOT NODE answered " + r);
}

void RedisCluster::failover(std::size_t replica) {
  const std::string r = cli_on(replica, {"CLUSTER", "FAILOVER"});
  if (r != "OK") throw std::runtime_error("RedisCluster: CLUSTER FAILOVER answered " + r);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (lines(cli_on(replica, {"ROLE"})).front() != "master") {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("RedisCluster: the replica on port " +
                               std::to_string(nodes_[replica]->port()) +
                               " did not become master within 10 s");
    }
    std::this_thread::sleep_for(20ms);
  }
  wait_ok();
}

}  // namespace rc_test
