// Redis Cluster over TLS (rediss+cluster://): a real local cluster of three
// masters that speak only TLS, to clients, on the cluster bus and between
// nodes (--tls-cluster, --tls-replication), with certificates made at test time.
// Cached functions (hit and miss, mget across nodes, invalidate_all on the
// owning node), a MOVED redirect after a slot migration, and tls_sni on
// discovered nodes, every node reached and verified over TLS. ctest runs each
// TEST in its own process, so the parts share one test (one cluster start,
// ~2-3 s) as functions of the fixture.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "access.hpp"
#include "client/client.hpp"
#include "client/cluster.hpp"
#include "key_layout.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_server.hpp"
#include "support/tls_certs.hpp"
#include "topology_support.hpp"

namespace rc = redis_cache;
namespace rd = redis_cache::detail;
using namespace std::chrono_literals;

namespace {

class TlsCluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new rc_test::TlsCerts();
    cluster_ = new rc_test::RedisCluster(
        3, 0,
        rc_test::TlsServerFiles{certs_->path("server.crt"), certs_->path("server.key"),
                                certs_->path("ca.crt"), false});
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override { g_calls = 0; }

  static rc_test::RedisCluster& cluster() { return *cluster_; }
  /// rediss+cluster:// with every node as a seed, trusting the test CA.
  static rc::Options opts(const std::string& query = "") {
    rc::Options o;
    o.url = cluster().url() + "?tls_ca=" + certs_->path("ca.crt") + query;
    o.connect_timeout = 2000ms;
    o.command_timeout = 2000ms;
    return o;
  }
  /// A namespace "<base><n>" whose slot the given node serves.
  static std::string ns_on(std::size_t node, const std::string& base) {
    return ::ns_on(cluster(), node, base);
  }
  static std::size_t other_master(std::size_t node) { return ::other_master(cluster(), node); }

  void hit_miss_mget_and_invalidate_all_on_every_node();
  void moved_after_a_slot_migration_is_followed_over_tls();
  void tls_sni_names_what_every_node_is_verified_against();

  static inline rc_test::TlsCerts* certs_ = nullptr;
  static inline rc_test::RedisCluster* cluster_ = nullptr;
};

void TlsCluster::hit_miss_mget_and_invalidate_all_on_every_node() {
  rc::RedisCache cache{opts()};
  auto f0 = cache.cache<&triple>({.ttl = 60s, .ns = ns_on(0, "t")});
  auto f1 = cache.cache<&negate>({.limit = 5, .ns = ns_on(1, "t")});
  auto f2 = cache.cache<&twice>({.ns = ns_on(2, "t")});
  const std::set<std::size_t> nodes{cluster().owner(rd::key_slot(f0.key(1))),
                                    cluster().owner(rd::key_slot(f1.key(1))),
                                    cluster().owner(rd::key_slot(f2.key("x")))};
  EXPECT_EQ(nodes.size(), 3u);  // one function per node
  EXPECT_EQ(f0(1), 3);          // miss
  EXPECT_EQ(f0(1), 3);          // hit
  EXPECT_EQ(g_calls, 1);
  EXPECT_EQ(f0.stats().hits, 1u);
  EXPECT_EQ(cluster().cli({"EXISTS", f0.key(1)}), "1");  // redis-cli -c --tls
  g_calls = 0;
  auto [a, b, c, d] =
      cache.mget(rc::call(f0, 1), rc::call(f1, 2), rc::call(f2, "x"), rc::call(f0, 7));
  EXPECT_EQ(a, 3);
  EXPECT_EQ(b, -2);
  EXPECT_EQ(c, "xx");
  EXPECT_EQ(d, 21);
  EXPECT_EQ(g_calls, 3);  // f0(1) was a hit
  g_calls = 0;
  auto [d2, c2, b2] = cache.mget(rc::call(f0, 7), rc::call(f2, "x"), rc::call(f1, 2));
  EXPECT_EQ(std::tie(b2, c2, d2), std::tie(b, c, d));
  EXPECT_EQ(g_calls, 0);  // all stored by the first mget, on their three nodes
  EXPECT_EQ(cluster().cli({"ZCARD", rd::Access::state(f1).index_key}), "1");
  // invalidate_all SCANs the owning node of each function (over TLS).
  EXPECT_EQ(f0.invalidate_all(), 2u);
  EXPECT_EQ(f1.invalidate_all(), 1u);
  EXPECT_EQ(f2.invalidate_all(), 1u);
  EXPECT_EQ(cluster().dbsize(), 0);
  EXPECT_EQ(f0.stats().errors + f1.stats().errors + f2.stats().errors, 0u);
}

// The slot moves to another master (MIGRATE between the nodes, over TLS too):
// the client's map still names the old owner, which answers MOVED; the client
// follows it to the new owner over TLS (verified like the seeds) and refreshes.
void TlsCluster::moved_after_a_slot_migration_is_followed_over_tls() {
  g_calls = 0;
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&triple>({.ttl = 300s, .limit = 50, .ns = "tlsmoving"});
  const unsigned slot = slot_of_ns("tlsmoving");
  for (int i = 0; i < 20; ++i) f(i);
  auto& cc = cluster_client(rd::Access::state(f));
  const std::size_t from = cluster().owner(slot), to = other_master(from);
  EXPECT_EQ(cc.node_of(slot), "127.0.0.1:" + std::to_string(cluster().node(from).port()));
  const auto refreshes = cc.refresh_count();
  cluster().move_slot(slot, to);  // the client did not see it
  g_calls = 0;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(f(i), 3 * i);  // hits: the entries moved
  EXPECT_EQ(g_calls, 0);
  EXPECT_EQ(f(20), 60);  // a miss stored on the new owner (the FIFO script there)
  EXPECT_EQ(cluster().node(to).cli({"EXISTS", f.key(20)}), "1");
  EXPECT_EQ(cc.node_of(slot), "127.0.0.1:" + std::to_string(cluster().node(to).port()));
  EXPECT_GE(cc.refresh_count(), refreshes + 1);
  EXPECT_EQ(f.invalidate_all(), 21u);
  EXPECT_EQ(f.stats().errors, 0u);
}

// Discovered nodes are verified by the name tls_sni gives when it is set.
void TlsCluster::tls_sni_names_what_every_node_is_verified_against() {
  {
    rc::RedisCache cache{opts("&tls_sni=localhost")};  // in every node's certificate
    auto f = cache.cache<&negate>({.ns = ns_on(2, "sni")});
    EXPECT_EQ(f(4), -4);
    EXPECT_EQ(f(4), -4);
    EXPECT_EQ(f.stats().hits, 1u);
    EXPECT_EQ(f.invalidate_all(), 1u);
  }
  const std::array<std::string_view, 2> get{"GET", "k"};
  try {
    (void)rd::make_client(opts("&tls_sni=wrong.example.com"))->command("k", get);
    ADD_FAILURE() << "no error with a name the certificates do not hold";
  } catch (const rc::ConnectionError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("wrong.example.com"), std::string::npos) << msg;
    EXPECT_NE(msg.find("localhost"), std::string::npos) << msg;  // what the certificate holds
  }
}

TEST_F(TlsCluster, CachedFunctionsMovedAndSniOverTls) {
  {
    SCOPED_TRACE("hit, miss, mget and invalidate_all on every node");
    hit_miss_mget_and_invalidate_all_on_every_node();
  }
  {
    SCOPED_TRACE("MOVED after a slot migration");
    moved_after_a_slot_migration_is_followed_over_tls();
  }
  {
    SCOPED_TRACE("tls_sni on discovered nodes");
    tls_sni_names_what_every_node_is_verified_against();
  }
}

}  // namespace
