// The redis-cache tool beyond one plain server (cli_test.cpp has the commands): a real
// 3-master cluster, a Sentinel URL and a TLS-only server.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/json/src.hpp>  // Boost.JSON header-only: this is its one TU in this executable

#include <chrono>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "cli_fixture.hpp"
#include "client/cluster.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_sentinel.hpp"
#include "support/redis_server.hpp"
#include "support/tls_certs.hpp"

namespace rc = redis_cache;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

using rc_cli_test::Cli;
using rc_cli_test::CliRun;

// On a real 3-master cluster: ls / stats scan every master, per-namespace commands
// follow the namespace's hash tag to its node. One cluster for all of it (~2 s).
TEST_F(Cli, ClusterCoversEveryMaster) {
  rc_test::RedisCluster cluster(3);
  const auto on_cluster = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", cluster.url()});
    return run(args, false);
  };
  // Three namespaces whose hash slots are on three different masters.
  std::vector<std::string> names;
  std::set<std::size_t> owners;
  for (int i = 0; names.size() < 3 && i < 200; ++i) {
    const std::string ns = "cli.cluster." + std::to_string(i);
    if (owners.insert(cluster.owner(rc::detail::key_slot("{rc:" + ns + "}:"))).second)
      names.push_back(ns);
  }
  ASSERT_EQ(names.size(), 3u);

  rc::RedisCache c{{.url = cluster.url()}};
  auto twice = c.cache<&cli_test::twice>({.limit = 10, .ns = names[0]});
  auto items = c.cache<&cli_test::make_item>({.ns = names[1]});
  auto where = c.cache<&cli_test::where>({.ns = names[2]});
  twice(1), twice(2), twice(3);
  items("pen", 4), items("ink", 5);
  where(2);
  const std::set<std::size_t> key_owners{cluster.owner(rc::detail::key_slot(twice.key(1))),
                                         cluster.owner(rc::detail::key_slot(items.key("pen", 4))),
                                         cluster.owner(rc::detail::key_slot(where.key(2)))};
  ASSERT_EQ(key_owners.size(), 3u) << "the namespaces must live on different masters";

  CliRun r = on_cluster({"ls", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json::value ls = r.json();
  const std::map<std::string, int> expected{{names[0], 3}, {names[1], 2}, {names[2], 1}};
  for (const auto& [ns, n] : expected) {
    const auto* o = find_ns(ls, ns);
    ASSERT_NE(o, nullptr) << ns << " missing from " << r.out;
    EXPECT_EQ(o->at("entries").to_number<int>(), n) << ns;
    EXPECT_GT(o->at("memory_bytes").to_number<long long>(), 0) << ns;
  }
  EXPECT_EQ(find_ns(ls, names[0])->at("fifo_size").to_number<int>(), 3);

  r = on_cluster({"stats", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value stats = r.json();
  EXPECT_EQ(stats.at("server").at("nodes").to_number<int>(), 3);
  for (const auto& ns : names) EXPECT_NE(find_ns(stats, ns), nullptr) << ns;

  r = on_cluster({"get", names[1], "--args", R"(["ink", 5])", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("value").at("qty").to_number<int>(), 5);
  r = on_cluster({"keys", names[0], "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("total").to_number<int>(), 3);
  r = on_cluster({"fifo", names[0], "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("size").to_number<int>(), 3);
  EXPECT_EQ(on_cluster({"schema", names[1], "--json"}).code, 0);

  // rm NS removes exactly that namespace: its keys, nothing on the other masters.
  const long long before = cluster.dbsize();
  r = on_cluster({"rm", names[0], "--yes", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const int removed = r.json().at("removed").to_number<int>();
  EXPECT_EQ(removed, 5);  // 3 values, the FIFO index, the schema note
  EXPECT_EQ(cluster.dbsize(), before - removed);
  ls = on_cluster({"ls", "--json"}).json();
  EXPECT_EQ(find_ns(ls, names[0]), nullptr);
  ASSERT_NE(find_ns(ls, names[1]), nullptr);
  EXPECT_EQ(find_ns(ls, names[1])->at("entries").to_number<int>(), 2);
  ASSERT_NE(find_ns(ls, names[2]), nullptr);
  EXPECT_EQ(find_ns(ls, names[2])->at("entries").to_number<int>(), 1);

  // A cluster has no unbraced keys.
  EXPECT_EQ(on_cluster({"ls", "--no-cluster-braces"}).code, 2);
}

TEST_F(Cli, SentinelUrlReachesTheMaster) {
  rc_test::RedisSentinels group({.replicas = 0, .sentinels = 1});
  rc::RedisCache c{{.url = group.url()}};
  auto twice = c.cache<&cli_test::twice>({.ns = "cli.sentinel"});
  twice(1), twice(2);
  CliRun r = run({"--url", group.url(), "ls", "--json"}, false);
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value ls = r.json();
  const auto* o = find_ns(ls, "cli.sentinel");
  ASSERT_NE(o, nullptr) << r.out;
  EXPECT_EQ(o->at("entries").to_number<int>(), 2);
  // A master name the sentinel does not monitor: a connection error (exit 2) that says so.
  std::string wrong = group.url();
  wrong = wrong.substr(0, wrong.rfind('/')) + "/nosuch";
  r = run({"--url", wrong, "ls"}, false);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown master name 'nosuch'"), std::string::npos) << r.err;
}

TEST_F(Cli, LsOverTls) {
  // --url rediss://...: the tool reaches a TLS-only server as the library does.
  rc_test::TlsCerts certs;
  rc_test::RedisServer tls_server(
      rc_test::TlsServerFiles{certs.path("server.crt"), certs.path("server.key"),
                              certs.path("ca.crt")},
      {});
  const std::string url = tls_server.tls_url() + "?tls_ca=" + certs.path("ca.crt");
  rc::RedisCache c{{.url = url}};
  auto twice = c.cache<&cli_test::twice>({.ns = "cli.tls.twice"});
  twice(1), twice(2);
  const CliRun r = run({"--url", url, "ls", "--json"}, /*with_url=*/false);
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value ls = r.json();
  const auto* t = find_ns(ls, "cli.tls.twice");
  ASSERT_NE(t, nullptr) << r.out;
  EXPECT_EQ(t->at("entries").to_number<int>(), 2);
  // Without the CA the tool says why it cannot connect.
  const CliRun bad = run({"--url", tls_server.tls_url(), "ls"}, /*with_url=*/false);
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("unknown CA"), std::string::npos) << bad.err;
}

}  // namespace
