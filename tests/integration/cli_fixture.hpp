// The Cli test suite (cli_test.cpp, cli_values_test.cpp, cli_topology_test.cpp): a private
// redis-server per executable, populated through the library by the functions below, and
// the real redis-cache binary run against it (cli_support.hpp).
#pragma once

#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <cstddef>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "cli_support.hpp"
#include "support/redis_server.hpp"

namespace cli_test {

inline std::atomic<int> calls{0};

struct Item {  // described: stored as a map with field names
  std::string name;
  int qty;
  std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, qty, tags))

struct Pos {  // plain aggregate (PFR): stored as an array
  double x;
  double y;
};

inline Item make_item(const std::string& name, int qty) {
  ++calls;
  return {name, qty, {"t-" + name}};
}
inline Pos where(int id) {
  return ++calls, Pos{id * 1.5, -id * 0.25};
}
inline int twice(int x) {
  return ++calls, 2 * x;
}
inline double scale(double f) {
  return ++calls, f * 10;
}
inline std::size_t distinct(std::set<int> s) {
  return ++calls, s.size();
}
inline std::size_t distinct_u(std::unordered_set<int> s) {
  return ++calls, s.size();
}
inline std::string greet(int user_id, std::string lang) {
  return ++calls, "hello " + std::to_string(user_id) + " in " + lang;
}
inline double price(double amount, std::string currency) {
  return ++calls, currency == "EUR" ? amount * 1.1 : amount;
}
inline int stock(const Item& item) {
  return ++calls, item.qty * 2;
}
inline double norm2(Pos p) {
  return ++calls, p.x * p.x + p.y * p.y;
}
inline std::vector<std::string> many(int n) {
  ++calls;
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("item-" + std::to_string(i));
  return v;
}

}  // namespace cli_test

namespace rc_cli_test {

/// The suite's fixture: one server shared by the tests of an executable.
class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new rc_test::RedisServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  /// Runs the real binary with stdin from /dev/null (not a terminal).
  static CliRun run(const std::vector<std::string>& args, bool with_url = true) {
    return rc_cli_test::run_cli(*server_, args, with_url);
  }

  static redis_cache::RedisCache cache(bool cluster = true) {
    return redis_cache::RedisCache{{.url = server_->url(), .support_cluster = cluster}};
  }

  static const boost::json::object* find_ns(const boost::json::value& ls, const std::string& ns) {
    for (const auto& n : ls.at("namespaces").as_array())
      if (n.at("ns").as_string() == ns) return &n.as_object();
    return nullptr;
  }

  inline static rc_test::RedisServer* server_ = nullptr;
};

}  // namespace rc_cli_test
