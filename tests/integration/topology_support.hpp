// What the Redis Cluster and Sentinel tests share (cluster_test.cpp,
// cluster_topology_test.cpp, tls_cluster_test.cpp, sentinel_test.cpp,
// tls_sentinel_test.cpp): the counted functions they cache, the ways to the
// client behind a cache, and the check that writes reach a new Sentinel master
// after a failover. Each file includes it once: the functions live in that
// file's anonymous namespace, so their default namespaces carry that file's
// name (and the tests give every function its own .ns anyway). Inline, so a
// file that caches only some of them compiles without unused-function warnings.
#pragma once

#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "access.hpp"
#include "client/cluster.hpp"
#include "client/sentinel.hpp"
#include "key_layout.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_sentinel.hpp"
#include "support/sync.hpp"

namespace {

std::atomic<int> g_calls{0};
inline int triple(int x) {
  return ++g_calls, 3 * x;
}
inline int negate(int x) {
  return ++g_calls, -x;
}
inline std::string twice(std::string s) {
  return ++g_calls, s + s;
}

// -- Redis Cluster ----------------------------------------------------------------

/// The slot of the keys of a function with namespace ns (cluster braces).
inline unsigned slot_of_ns(const std::string& ns) {
  return redis_cache::detail::key_slot(redis_cache::detail::keys::ns_prefix("rc", ns, true));
}

inline redis_cache::detail::ClusterClient& cluster_client(
    const redis_cache::detail::FunctionState& st) {
  return dynamic_cast<redis_cache::detail::ClusterClient&>(st.core->client());
}

/// A namespace "<base><n>" whose slot the given node serves.
inline std::string ns_on(const rc_test::RedisCluster& cluster, std::size_t node,
                         const std::string& base) {
  for (int i = 0;; ++i) {
    const std::string ns = base + std::to_string(i);
    if (cluster.owner(slot_of_ns(ns)) == node) return ns;
  }
}

/// Some other master than `node`.
inline std::size_t other_master(const rc_test::RedisCluster& cluster, std::size_t node) {
  for (const auto m : cluster.masters()) {
    if (m != node) return m;
  }
  throw std::runtime_error("no other master");
}

// -- Redis Sentinel ---------------------------------------------------------------

inline redis_cache::detail::SentinelClient& sentinel_client(const redis_cache::RedisCache& cache) {
  return dynamic_cast<redis_cache::detail::SentinelClient&>(
      redis_cache::detail::Access::core(cache)->client());
}

/// The port of "host:port".
inline std::string port_of(const std::string& endpoint) {
  return endpoint.substr(endpoint.rfind(':') + 1);
}

/// After a failover to new_port: a value of f (a cached triple) written now is
/// stored on the new master and read back from it as a hit (polled: the first
/// tries may still meet the failover's window).
template <class F>
void expect_writes_reach(rc_test::RedisSentinels& group, F& f, int new_port) {
  auto& node = group.node(group.node_of_port(new_port));
  int x = 1000;
  EXPECT_TRUE(rc_test::eventually([&] {
    ++x;
    const auto hits = f.stats().hits;
    return f(x) == 3 * x && node.cli({"EXISTS", f.key(x)}) == "1" && f(x) == 3 * x &&
           f.stats().hits == hits + 1;
  }));
}

}  // namespace
