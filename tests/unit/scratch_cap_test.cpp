// Every thread-local buffer of the codec layer and of compression is capped like
// the cache's scratch strings (tests/integration/scratch_test.cpp): one large key
// or value does not stay with a thread for good, ordinary ones keep their buffer
// for reuse. Each test runs on a thread of its own, so what it measures is that
// thread's buffers only.
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/msgpack_adaptors.hpp>
#include <redis_cache/codec/python.hpp>
#include <redis_cache/detail/compress.hpp>
#include <redis_cache/detail/scratch_cap.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <msgpack.hpp>

namespace scratch_cap_test {
struct Picky;
}
template <>
struct redis_cache::codec::adaptor<scratch_cap_test::Picky> {
  static std::string pack(const scratch_cap_test::Picky& p);
  static scratch_cap_test::Picky unpack(const std::string& s);
};

namespace scratch_cap_test {

namespace rc = redis_cache;
using rc::detail::scratch_keep_bytes;

constexpr std::size_t large = 1 << 20;  // far above the cap
constexpr std::size_t small = 1000;     // far below it

struct Picky {  // its hook throws for "boom", as a user's hook may
  std::string s;
};

struct Doc {  // a PFR aggregate: msgpack-cxx packs it through with_encoded
  std::string text;
};

/// n bytes of text zstd compresses, but by far less than max_compression_ratio.
std::string prose(std::size_t n) {
  std::string s;
  s.reserve(n);
  unsigned x = 12345;
  while (s.size() < n) {
    x = x * 1103515245u + 12345u;
    s.push_back("abcdefghijklmnopqrstuvwxyz  \n"[(x >> 16) % 29]);
  }
  return s;
}

template <class F>
void on_new_thread(F f) {
  std::thread(f).join();
}

TEST(ScratchCap, KeyBufferIsReleasedAfterALargeKey) {
  on_new_thread([] {
    const auto& scratch = rc::codec::detail::key_scratch();
    std::string key;
    rc::codec::append_key_args(key, 7, std::string(small, 'a'));
    EXPECT_GE(scratch.capacity(), small);  // kept for reuse
    rc::codec::append_key_args(key, 7, std::string(large, 'b'));
    EXPECT_GT(key.size(), large);
    EXPECT_LE(scratch.capacity(), scratch_keep_bytes);
  });
}

TEST(ScratchCap, PythonKeyBufferIsReleasedAfterALargeKey) {
  on_new_thread([] {
    const auto& scratch = rc::codec::detail::python_key_scratch();
    const std::vector<std::string> names{"s"};
    const auto order = rc::codec::python_arg_order(names);
    std::string key;
    rc::codec::append_python_key_args(key, names, order, std::string(small, 'a'));
    EXPECT_GE(scratch.capacity(), small);
    rc::codec::append_python_key_args(key, names, order, std::string(large, 'b'));
    EXPECT_GT(key.size(), large);
    EXPECT_LE(scratch.capacity(), scratch_keep_bytes);
  });
}

TEST(ScratchCap, MsgpackAdaptorBufferIsReleasedAfterALargeValue) {
  on_new_thread([] {
    const auto& scratch = rc::codec::detail::encoded_scratch();
    msgpack::sbuffer out;
    msgpack::pack(out, Doc{std::string(small, 'a')});
    EXPECT_GE(scratch.capacity(), small);
    msgpack::pack(out, Doc{std::string(large, 'b')});
    EXPECT_GT(out.size(), large);
    EXPECT_LE(scratch.capacity(), scratch_keep_bytes);
  });
}

TEST(ScratchCap, SortBytesAreReleasedAfterALargeUnorderedKey) {
  on_new_thread([] {
    std::string key;
    rc::codec::append_key_args(key, std::unordered_set<std::string>{"a", "b"});
    const std::size_t kept = rc::codec::detail::sort_scratch_capacity();
    EXPECT_GT(kept, 0u);
    std::unordered_set<std::string> big;
    for (char c = 'a'; c <= 'z'; ++c) big.insert(std::string(large / 16, c));
    rc::codec::append_key_args(key, big);
    EXPECT_LE(rc::codec::detail::sort_scratch_capacity(), scratch_keep_bytes);
  });
}

TEST(ScratchCap, SortLevelIsEmptiedWhenAnElementThrows) {
  on_new_thread([] {
    // Before, each throw left the elements encoded so far in the level for good.
    for (int round = 0; round < 20; ++round) {
      std::unordered_map<int, Picky> m;
      for (int i = 0; i < 50; ++i) m.emplace(i, Picky{std::string(100, 'x')});
      m[round] = Picky{"boom"};
      std::string key;
      EXPECT_THROW(rc::codec::append_key_args(key, m), std::runtime_error);
    }
    ASSERT_FALSE(rc::codec::detail::sort_levels().empty());
    EXPECT_EQ(rc::codec::detail::sort_levels()[0]->bytes.size(), 0u);
    EXPECT_EQ(rc::codec::detail::sort_levels()[0]->spans.size(), 0u);
    std::string key;  // and the level still works
    rc::codec::append_key_args(key, std::unordered_map<int, Picky>{{1, Picky{"a"}}});
    EXPECT_FALSE(key.empty());
  });
}

TEST(ScratchCap, SortSpansAreReleasedAfterAnUnorderedKeyOfManyElements) {
  on_new_thread([] {
    // 10,000 small ints: under 32 KiB of bytes, but 80 KB of (offset, length) spans.
    std::unordered_set<int> many;
    for (int i = 0; i < 10000; ++i) many.insert(i);
    std::string key;
    rc::codec::append_key_args(key, many);
    EXPECT_LE(rc::codec::detail::sort_scratch_capacity(), scratch_keep_bytes);
  });
}

TEST(ScratchCap, CompressionBufferAndContextAreReleasedAfterALargeValue) {
  on_new_thread([] {
    std::string value = prose(10 * small);
    rc::detail::compress_value(value);
    ASSERT_TRUE(rc::detail::is_compressed(value));
    EXPECT_GT(rc::detail::compress_scratch_bytes(), 0u);  // buffer and context kept
    value = prose(large);
    rc::detail::compress_value(value);
    ASSERT_TRUE(rc::detail::is_compressed(value));
    // The zstd context alone takes about 1.3 MB after a 1 MiB input.
    EXPECT_LE(rc::detail::compress_scratch_bytes(), scratch_keep_bytes);
    std::string back;
    rc::detail::decompress_value(value, back);
    EXPECT_EQ(back, prose(large));
  });
}

TEST(ScratchCap, CompressionWorksAgainAfterTheContextWasReleased) {
  on_new_thread([] {
    for (std::size_t n : {large, 10 * small, large, 10 * small}) {
      std::string value = prose(n);
      rc::detail::compress_value(value);
      ASSERT_TRUE(rc::detail::is_compressed(value));
      std::string back;
      rc::detail::decompress_value(value, back);
      EXPECT_EQ(back, prose(n));
    }
  });
}

}  // namespace scratch_cap_test

std::string redis_cache::codec::adaptor<scratch_cap_test::Picky>::pack(
    const scratch_cap_test::Picky& p) {
  if (p.s == "boom") throw std::runtime_error("Picky: boom");
  return p.s;
}
scratch_cap_test::Picky redis_cache::codec::adaptor<scratch_cap_test::Picky>::unpack(
    const std::string& s) {
  return {s};
}
