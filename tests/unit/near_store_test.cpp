// NearStore without a server: the fill protocol (tokens, near state), the
// byte and entry budgets, S3-FIFO's eviction order, flush and prefix eviction.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "near/near_store.hpp"

namespace d = redis_cache::detail;

namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t kListening = 3;  // epoch 1, listening

struct Fixture {
  d::FunctionState fn;  // the owner whose counters the store bumps
  std::atomic<std::uint64_t> state{kListening};

  bool fill(d::NearStore& s, const std::string& key, int v, std::size_t bytes = 64,
            std::int64_t expires = kNever) {
    const auto h = d::NearStore::hash(key);
    const auto token = s.begin(key, h, state.load(), &fn);
    if (token == 0) return false;
    return s.fill(key, h, token, state.load(), state, new d::NearValueOf<int>(v), bytes, expires);
  }
  std::optional<int> get(d::NearStore& s, const std::string& key, std::int64_t now = 0) {
    std::optional<int> out;
    s.get(key, d::NearStore::hash(key), now, &d::near_copy<int>, &out, state.load());
    return out;
  }
};

}  // namespace

TEST(NearStore, FillsOnlyThePlaceholderWithItsToken) {
  Fixture f;
  d::NearStore s(1 << 20, 0);
  const std::string key = "{rc:ns}:k";
  const auto h = d::NearStore::hash(key);
  const auto first = s.begin(key, h, kListening, &f.fn);
  const auto second = s.begin(key, h, kListening, &f.fn);  // a newer GET of the same key
  ASSERT_NE(first, 0u);
  ASSERT_NE(second, 0u);
  EXPECT_FALSE(s.fill(key, h, first, kListening, f.state, new d::NearValueOf<int>(1), 64, kNever));
  EXPECT_FALSE(f.get(s, key).has_value());  // still pending: nothing served
  EXPECT_TRUE(s.fill(key, h, second, kListening, f.state, new d::NearValueOf<int>(2), 64, kNever));
  EXPECT_EQ(f.get(s, key), 2);
}

TEST(NearStore, InvalidationRemovesThePlaceholderAndTheFillIsRefused) {
  Fixture f;
  d::NearStore s(1 << 20, 0);
  const std::string key = "{rc:ns}:k";
  const auto h = d::NearStore::hash(key);
  const auto token = s.begin(key, h, kListening, &f.fn);
  s.evict(key, h);  // the invalidation arrives before the GET's reply
  EXPECT_FALSE(s.fill(key, h, token, kListening, f.state, new d::NearValueOf<int>(1), 64, kNever));
  EXPECT_FALSE(f.get(s, key).has_value());
  EXPECT_EQ(s.entries(), 0u);
}

TEST(NearStore, AFillBegunBeforeALostListenerNeverLands) {
  Fixture f;
  d::NearStore s(1 << 20, 0);
  const std::string key = "{rc:ns}:k";
  const auto h = d::NearStore::hash(key);
  const auto token = s.begin(key, h, kListening, &f.fn);
  f.state = 5;  // lost and re-subscribed: epoch 2, listening again
  EXPECT_FALSE(s.fill(key, h, token, kListening, f.state, new d::NearValueOf<int>(1), 64, kNever));
  f.state = 4;  // not listening: nothing begins, nothing is served
  EXPECT_EQ(s.begin(key, h, 4, &f.fn), 0u);
}

TEST(NearStore, ServesNothingWhileNotListeningOrExpired) {
  Fixture f;
  d::NearStore s(1 << 20, 0);
  ASSERT_TRUE(f.fill(s, "a", 1, 64, /*expires=*/100));
  EXPECT_EQ(f.get(s, "a", 99), 1);
  f.state = 4;
  EXPECT_FALSE(f.get(s, "a", 99).has_value());
  f.state = kListening;
  EXPECT_FALSE(f.get(s, "a", 100).has_value());  // expired: removed, counted
  EXPECT_EQ(f.fn.stats.near_evictions.load(), 1u);
  EXPECT_EQ(s.entries(), 0u);
}

TEST(NearStore, StaysWithinItsByteBudgetAndGivesHitEntriesASecondChance) {
  Fixture f;
  constexpr std::size_t kBudget = 16 << 10;  // one shard
  d::NearStore s(kBudget, 0);
  ASSERT_TRUE(f.fill(s, "hot", 0, 512));
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(f.fill(s, "k" + std::to_string(i), i, 512));
    ASSERT_LE(s.bytes(), kBudget);
    ASSERT_EQ(f.get(s, "hot"), 0) << i;  // referenced on every round: never evicted
  }
  EXPECT_GT(f.fn.stats.near_evictions.load(), 0u);
  EXPECT_FALSE(f.get(s, "k0").has_value());     // the oldest unreferenced went first
  EXPECT_FALSE(f.fill(s, "huge", 1, kBudget));  // larger than the budget: not kept
  EXPECT_FALSE(f.get(s, "huge").has_value());
}

// S3-FIFO: keys read once stay in the small FIFO and leave from there; a key
// hit once moved to the main FIFO, which a scan of new keys does not reach
// (CLOCK would have evicted it after one round of the hand).
TEST(NearStore, AScanOfKeysReadOnceDoesNotPushOutAKeyHitOnce) {
  Fixture f;
  constexpr std::size_t kBudget = 16 << 10;  // one shard, ~20 entries of 512 B
  d::NearStore s(kBudget, 0);
  ASSERT_TRUE(f.fill(s, "hot", 0, 512));
  ASSERT_TRUE(f.fill(s, "warm", 1, 512));  // never hit: goes with the scan
  ASSERT_EQ(f.get(s, "hot"), 0);           // its one hit
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(f.fill(s, "scan" + std::to_string(i), i, 512));
  EXPECT_GE(f.fn.stats.near_evictions.load(), 150u);  // the scan was ~8 times the budget
  EXPECT_EQ(f.get(s, "hot"), 0);
  EXPECT_FALSE(f.get(s, "warm").has_value());
  EXPECT_LE(s.bytes(), kBudget);
}

TEST(NearStore, StaysWithinItsEntryCap) {
  Fixture f;
  d::NearStore s(1 << 20, 8);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(f.fill(s, "k" + std::to_string(i), i));
  EXPECT_LE(s.entries(), 8u);
}

TEST(NearStore, FlushAndPrefixEvictionAndForget) {
  Fixture f;
  d::NearStore s(1 << 20, 0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(f.fill(s, "{rc:a}:" + std::to_string(i), i));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(f.fill(s, "{rc:b}:" + std::to_string(i), i));
  s.evict_prefix("{rc:a}:");
  EXPECT_EQ(s.entries(), 10u);
  EXPECT_EQ(f.fn.stats.near_invalidations.load(), 10u);
  EXPECT_EQ(f.get(s, "{rc:b}:3"), 3);
  s.flush();
  EXPECT_EQ(s.entries(), 0u);
  EXPECT_EQ(f.fn.stats.near_flushes.load(), 1u);  // once per function, not per entry
  ASSERT_TRUE(f.fill(s, "x", 1));
  s.forget(&f.fn);
  EXPECT_EQ(s.entries(), 0u);
}

TEST(NearStore, PerEntryOverheadIsAtMost128Bytes) {
  for (std::size_t key : {8u, 29u, 40u, 100u}) EXPECT_LE(d::NearStore::node_overhead(key), 128u);
}
