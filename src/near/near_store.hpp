// NearStore: the memory of the near cache. Sharded by key hash (one mutex
// each, so threads rarely meet); each shard is a chained hash table of nodes
// that hold their key inline, in two intrusive FIFO rings for S3-FIFO
// eviction (a hit bumps a small counter; nothing moves under the lock on a
// hit). Bounded by max_bytes (keys + values + nodes + buckets and ghost tags,
// as malloc counts them) and max_entries, split evenly over shards. S3-FIFO
// was chosen over CLOCK and LRU by the hit ratios near_bench measures.
//
// The fill protocol (DESIGN.md §8) lives here: begin() inserts a pending
// placeholder with a fresh token, fill() lands only on that placeholder and
// only if the near state (epoch + listening) is the one begin() saw.
#pragma once

#include <redis_cache/detail/near.hpp>
#include <redis_cache/stats.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace redis_cache::detail {

struct NearNode;

class NearStore {
 public:
  NearStore(std::size_t max_bytes, std::size_t max_entries);
  ~NearStore();
  NearStore(const NearStore&) = delete;
  NearStore& operator=(const NearStore&) = delete;

  static std::uint64_t hash(std::string_view key) noexcept;

  /// Copies a live, unexpired value of key into out. state: the current near
  /// state (odd = listening); nothing is served when it is even.
  bool get(std::string_view key, std::uint64_t hash, std::int64_t now, NearCopy copy, void* out,
           std::uint64_t state);
  /// The live, unexpired value of key, its shard's lock held (`held`, for
  /// release()) so that the caller can copy it; nullptr (nothing held) if none.
  const NearValue* find(std::string_view key, std::uint64_t hash, std::int64_t now,
                        std::uint64_t state, void*& held);
  static void release(void* held) noexcept;
  /// A pending placeholder for key (replacing an older one's token). Returns
  /// its token, 0 if nothing was inserted.
  std::uint64_t begin(std::string_view key, std::uint64_t hash, std::uint64_t state,
                      const FunctionState* owner);
  /// Lands value on the placeholder with `token` begun in `state`, if
  /// `current` still equals state. Takes value (destroys it if refused).
  bool fill(std::string_view key, std::uint64_t hash, std::uint64_t token, std::uint64_t state,
            const std::atomic<std::uint64_t>& current, NearValue* value, std::size_t value_bytes,
            std::int64_t expires);
  /// Removes the placeholder of key if it still holds token.
  void cancel(std::string_view key, std::uint64_t hash, std::uint64_t token) noexcept;
  /// Removes key (value or placeholder); counts an invalidation of a value.
  void evict(std::string_view key, std::uint64_t hash) noexcept;
  /// Removes every node whose key starts with prefix.
  void evict_prefix(std::string_view prefix) noexcept;
  /// Removes every node of owner, uncounted (the function is going away).
  void forget(const FunctionState* owner) noexcept;
  /// Removes everything; bumps near_flushes once for every function that lost a value.
  void flush() noexcept;

  /// Whether key has a node (value or placeholder): for tests and diagnostics.
  bool holds(std::string_view key, std::uint64_t hash) noexcept;
  /// Which shard (of shard_count()) a key of this hash is kept in.
  std::size_t shard_index(std::uint64_t hash) const noexcept {
    return (hash >> 48) & (shard_count_ - 1);
  }
  std::size_t shard_count() const noexcept { return shard_count_; }
  std::size_t entries() const noexcept;
  std::size_t bytes() const noexcept;
  std::size_t max_bytes() const noexcept { return max_bytes_; }

  /// What one entry costs beyond its key's bytes and its value's (node,
  /// malloc header, bucket): for the README and the tests.
  static std::size_t node_overhead(std::size_t key_size) noexcept;

 private:
  struct Shard;
  Shard& shard_of(std::uint64_t hash) noexcept;

  std::size_t max_bytes_;
  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
  std::mutex owners_mu_;  ///< flush() and forget(): no owner goes away while flush counts it
  std::atomic<std::uint64_t> next_token_{1};
};

}  // namespace redis_cache::detail
