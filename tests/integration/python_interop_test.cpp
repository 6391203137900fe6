// One cache shared by a C++ service and a Python service (Codec::python, DESIGN §9):
// tests/python/prc_interop.py behaves as python-redis-cache 4.x; both sides run
// against the same private redis-server and read each other's entries as hits.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/describe.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <sys/wait.h>

#include "support/redis_server.hpp"

#ifndef RC_PYTHON3
#error "RC_PYTHON3 (a python3 with the redis module) must be defined by tests/CMakeLists.txt"
#endif

namespace python_interop_test {

namespace rc = redis_cache;

struct User {
  int id;
  std::string lang;
  std::string name;
  double score;
  std::vector<std::string> tags;
  bool active;
  std::optional<std::string> nick;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, lang, name, score, tags, active, nick))

std::atomic<int> g_calls{0};

// The same functions as the Python side's.
User load_user(int user_id, std::string lang) {
  ++g_calls;
  return User{user_id, lang,        "Zo\xc3\xab \xf0\x9f\x98\x80", user_id / 4.0, {"a", "b"},
              true,    std::nullopt};
}
double ratio(int a, int b) {
  ++g_calls;
  return static_cast<double>(a) / b;
}
std::tuple<int, double, std::string> constant() {
  ++g_calls;
  return {1, 2.0, "x"};
}

/// Runs the Python side; returns its stdout (fails the test on a non-zero exit).
std::string python(const std::string& cmd, const std::string& url) {
  const std::string line =
      std::string(RC_PYTHON3) + " " + RC_INTEROP_SCRIPT + " " + cmd + " '" + url + "' 2>&1";
  FILE* p = ::popen(line.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + line);
  std::string out;
  std::array<char, 4096> buf;
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << line << "\n" << out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

struct Fixture : ::testing::Test {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .codec = rc::Codec::python}};
  rc::Cached<& load_user> users = cache.cache<&load_user>({.ttl = std::chrono::seconds(60),
                                                           .limit = 3,
                                                           .ns = "interop.load_user",
                                                           .arg_names = {"user_id", "lang"}});
  rc::Cached<& ratio> ratios =
      cache.cache<&ratio>({.ns = "interop.ratio", .arg_names = {"a", "b"}});
  rc::Cached<& constant> constants = cache.cache<&constant>({.ns = "interop.constant"});
};

TEST_F(Fixture, KeysAreByteIdentical) {
  const std::string out = python("key", server.url());
  std::string expected = R"({"keys":[")" + users.key(7, "en") + R"(",")" + users.key(7, "en") +
                         R"(",")" + ratios.key(1, 3) + R"(",")" + constants.key() + R"("]})";
  EXPECT_EQ(out, expected);
  EXPECT_EQ(constants.key(), "{rc:interop.constant}:e30=");
}

TEST_F(Fixture, PythonWritesCppReadsAsHits) {
  ASSERT_EQ(python("write", server.url()),
            R"({"calls":[["load_user",1,"en"],["load_user",2,"fr"],["ratio",1,3],["constant"]]})");
  g_calls = 0;
  const User u = users(1, "en");
  EXPECT_EQ(u.id, 1);
  EXPECT_EQ(u.lang, "en");
  EXPECT_EQ(u.name, "Zo\xc3\xab \xf0\x9f\x98\x80");
  EXPECT_EQ(u.score, 0.25);
  EXPECT_EQ(u.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(u.active);
  EXPECT_EQ(u.nick, std::nullopt);
  EXPECT_EQ(users(2, "fr").lang, "fr");
  EXPECT_EQ(ratios(1, 3), 1.0 / 3);
  EXPECT_EQ(constants(), std::make_tuple(1, 2.0, std::string("x")));
  EXPECT_EQ(g_calls.load(), 0) << "every call should have been a hit on Python's entries";
  EXPECT_EQ(users.stats().hits, 2u);

  // Python's TTL and index, as python-redis-cache's script sets them.
  const int ttl = std::stoi(server.cli({"TTL", users.key(1, "en")}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60);
  EXPECT_EQ(server.cli({"TTL", ratios.key(1, 3)}), "-1");
  EXPECT_EQ(server.cli({"ZCARD", "{rc:interop.load_user}:keys"}), "2");
}

TEST_F(Fixture, CppWritesPythonReadsAsHits) {
  g_calls = 0;
  users(3, "de");
  users(4, "en");
  ratios(2, 4);
  constants();
  EXPECT_EQ(g_calls.load(), 4);
  EXPECT_EQ(server.cli({"GET", ratios.key(2, 4)}), "0.5");
  EXPECT_EQ(server.cli({"GET", users.key(4, "en")}),
            R"({"active":true,"id":4,"lang":"en","name":"Zo\u00eb \ud83d\ude00","nick":null,)"
            R"("score":1.0,"tags":["a","b"]})");
  const int ttl = std::stoi(server.cli({"TTL", users.key(3, "de")}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60);

  // The Python functions are never called: every call is a hit on C++'s entries
  // (load_user(4) fills in lang="en" as python-redis-cache's get_args does).
  EXPECT_EQ(
      python("read", server.url()),
      R"({"calls":[],"results":[)"
      R"({"active":true,"id":3,"lang":"de","name":"Zo\u00eb \ud83d\ude00","nick":null,"score":0.75,"tags":["a","b"]},)"
      R"({"active":true,"id":4,"lang":"en","name":"Zo\u00eb \ud83d\ude00","nick":null,"score":1.0,"tags":["a","b"]},)"
      R"(0.5,[1,2.0,"x"]]})");
}

TEST_F(Fixture, LimitEvictsAcrossLanguagesOldestFirst) {
  python("write", server.url());  // load_user(1, en), load_user(2, fr)
  users(3, "de");                 // C++: third entry
  users(4, "en");                 // C++: fourth, beyond limit 3: the oldest (Python's 1/en) goes
  EXPECT_EQ(server.cli({"ZCARD", "{rc:interop.load_user}:keys"}), "3");
  EXPECT_EQ(server.cli({"EXISTS", users.key(1, "en")}), "0");
  EXPECT_EQ(server.cli({"EXISTS", users.key(2, "fr")}), "1");
  g_calls = 0;
  python("read", server.url());  // Python reads 3/de and 4 (hits); its writes go through the script
  EXPECT_EQ(server.cli({"ZCARD", "{rc:interop.load_user}:keys"}), "3");
  users(2, "fr");
  EXPECT_EQ(g_calls.load(), 0);
}

TEST_F(Fixture, InvalidateAllClearsPythonEntriesToo) {
  python("write", server.url());
  EXPECT_GE(users.invalidate_all(), 2u);
  EXPECT_EQ(server.cli({"EXISTS", users.key(2, "fr")}), "0");
}

TEST(PythonConfig, NeedsNamespaceAndArgumentNames) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .codec = rc::Codec::python}};
  EXPECT_THROW(cache.cache<&ratio>({.arg_names = {"a", "b"}}), rc::ConfigError);  // no ns
  EXPECT_THROW(cache.cache<&ratio>({.ns = "x"}), rc::ConfigError);                // no names
  EXPECT_THROW(cache.cache<&ratio>({.ns = "x", .arg_names = {"a"}}), rc::ConfigError);
  EXPECT_THROW(cache.cache<&ratio>({.ns = "x", .arg_names = {"a", "a"}}), rc::ConfigError);
  EXPECT_NO_THROW(cache.cache<&ratio>({.ns = "x", .arg_names = {"a", "b"}}));
  EXPECT_NO_THROW(cache.cache<&constant>({.ns = "y"}));
  rc::RedisCache compressed{
      {.url = server.url(), .codec = rc::Codec::python, .compress_above = 100}};
  EXPECT_THROW(compressed.cache<&constant>({.ns = "y"}), rc::ConfigError);
}

}  // namespace python_interop_test
