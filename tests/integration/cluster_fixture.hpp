// The Cluster test suite (cluster_test.cpp: routing and cached functions on a
// stable cluster; cluster_topology_test.cpp: resharding and failover under use):
// a private three-master cluster per test, and the counted functions and
// client helpers every cluster and Sentinel test shares (topology_support.hpp).
#pragma once

#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "support/redis_cluster.hpp"
#include "topology_support.hpp"

namespace {

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override { g_calls = 0; }
  redis_cache::Options opts(redis_cache::Options o = {}) {
    o.url = cluster.url();
    return o;
  }
  /// A namespace "<base><n>" whose slot the given node serves.
  std::string ns_on(std::size_t node, const std::string& base) {
    return ::ns_on(cluster, node, base);
  }
  /// Some other master than `node`.
  std::size_t other_master(std::size_t node) { return ::other_master(cluster, node); }

  rc_test::RedisCluster cluster;
};

}  // namespace
