// Codec::json and compress_above end to end against a real redis-server: what is
// stored, hits, the batch path, switching options over old entries, corrupt values
// as misses, and construction errors for types JSON cannot carry.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/describe.hpp>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "support/redis_server.hpp"

namespace json_compress_test {

namespace rc = redis_cache;

struct Doc {
  int id;
  std::string title;
  std::vector<std::string> lines;
};
BOOST_DESCRIBE_STRUCT(Doc, (), (id, title, lines))

struct Key2 {
  int a, b;
  bool operator<(const Key2& o) const { return a < o.a || (a == o.a && b < o.b); }
};

std::atomic<int> g_calls{0};

Doc load_doc(int id) {
  ++g_calls;
  Doc d{id, "t\xc3\xa9", {}};
  for (int i = 0; i < 100; ++i) d.lines.push_back("line " + std::to_string(i % 10));
  return d;
}
std::map<Key2, int> grid(int n) {
  ++g_calls;
  return {{{n, n}, n}};
}

TEST(JsonCodec, StoresJsonTextAndHits) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .codec = rc::Codec::json}};
  auto docs = cache.cache<&load_doc>({.ns = "j.docs"});
  g_calls = 0;
  const Doc a = docs(1);
  const Doc b = docs(1);
  EXPECT_EQ(g_calls.load(), 1);
  EXPECT_EQ(b.lines, a.lines);
  const std::string raw = server.cli({"GET", docs.key(1)});
  EXPECT_EQ(raw.substr(0, 20), "{\"id\":1,\"lines\":[\"li");
  // A msgpack cache of the same function uses other keys (its own schema segment).
  rc::RedisCache mp{{.url = server.url()}};
  auto mdocs = mp.cache<&load_doc>({.ns = "j.docs"});
  EXPECT_NE(mdocs.key(1), docs.key(1));
  // The batch path.
  g_calls = 0;
  const std::vector<Doc> many = docs.mget({{1}, {2}, {3}});
  EXPECT_EQ(many.size(), 3u);
  EXPECT_EQ(many[2].id, 3);
  EXPECT_EQ(g_calls.load(), 2);
  EXPECT_EQ(docs(3).id, 3);
  EXPECT_EQ(g_calls.load(), 2);
}

TEST(JsonCodec, TypesJsonCannotCarryAreRefusedAtConstruction) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .codec = rc::Codec::json}};
  try {
    cache.cache<&grid>({.ns = "j.grid"});
    FAIL() << "expected ConfigError";
  } catch (const rc::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Key2"), std::string::npos) << e.what();
  }
  rc::RedisCache mp{{.url = server.url()}};
  EXPECT_EQ(mp.cache<&grid>({.ns = "j.grid"})(2).size(), 1u);  // fine with msgpack
}

TEST(Compression, LargeValuesAreStoredCompressedAndStillRead) {
  rc_test::RedisServer server;
  for (rc::Codec codec : {rc::Codec::msgpack, rc::Codec::json}) {
    rc::RedisCache zc{{.url = server.url(), .codec = codec, .compress_above = 256}};
    rc::RedisCache plain{{.url = server.url(), .codec = codec}};
    auto zdocs = zc.cache<&load_doc>({.ns = "z.docs"});
    auto pdocs = plain.cache<&load_doc>({.ns = "z.docs"});
    zdocs.invalidate_all();
    g_calls = 0;
    zdocs(1);  // stored compressed
    EXPECT_EQ(server.cli({"GETRANGE", zdocs.key(1), "1", "3"}), "RCZ");
    const auto compressed = std::stoul(server.cli({"STRLEN", zdocs.key(1)}));
    pdocs(2);  // stored plain
    const auto uncompressed = std::stoul(server.cli({"STRLEN", pdocs.key(2)}));
    EXPECT_LT(compressed * 3, uncompressed);
    // Each reads the other's entries: compression is recognised by its header.
    EXPECT_EQ(pdocs(1).id, 1);
    EXPECT_EQ(zdocs(2).id, 2);
    EXPECT_EQ(g_calls.load(), 2);
    EXPECT_EQ(zdocs.mget({{1}, {2}}).size(), 2u);
    EXPECT_EQ(g_calls.load(), 2);
  }
}

TEST(Compression, CorruptValuesAreMisses) {
  rc_test::RedisServer server;
  rc::RedisCache zc{{.url = server.url(), .compress_above = 64}};
  auto docs = zc.cache<&load_doc>({.ns = "z.corrupt"});
  g_calls = 0;
  docs(1);
  server.cli({"SET", docs.key(1), std::string("\xc1RCZ") + "not a zstd frame"});
  EXPECT_EQ(docs(1).id, 1);  // recomputed and overwritten
  EXPECT_EQ(g_calls.load(), 2);
  EXPECT_EQ(docs.stats().decode_failures, 1u);
  EXPECT_EQ(docs(1).id, 1);
  EXPECT_EQ(g_calls.load(), 2);
}

}  // namespace json_compress_test
