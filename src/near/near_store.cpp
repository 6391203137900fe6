// NearStore (see near_store.hpp): sharded hash tables of nodes with inline
// keys, CLOCK eviction within a byte and an entry budget per shard.
#include "near/near_store.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>

namespace redis_cache::detail {

/// One entry: a pending placeholder (token, the near state it began in) or a
/// value (its holder, its local expiry). The key follows the node in the
/// same allocation.
struct NearNode {
  NearNode* chain;  ///< next node of the same bucket
  NearNode* prev;   ///< ring in insertion order (CLOCK)
  NearNode* next;
  std::uint64_t hash;
  union {
    std::uint64_t token;  ///< pending
    NearValue* value;     ///< filled
  };
  union {
    std::uint64_t state;   ///< pending: the near state at begin
    std::int64_t expires;  ///< filled: coarse monotonic ns
  };
  const FunctionState* owner;
  std::uint32_t bytes;  ///< accounted: node + key + value
  std::uint32_t key_len;
  bool pending;
  bool referenced;  ///< hit since the CLOCK hand last passed

  std::string_view key() const noexcept {
    return {reinterpret_cast<const char*>(this + 1), key_len};
  }
};

namespace {

constexpr std::size_t kMinBuckets = 16;

std::size_t node_bytes(std::size_t key_size) noexcept {
  return heap_chunk(sizeof(NearNode) + key_size);
}

}  // namespace

struct alignas(64) NearStore::Shard {
  std::mutex mu;
  std::vector<NearNode*> buckets = std::vector<NearNode*>(kMinBuckets, nullptr);
  NearNode* hand = nullptr;  ///< oldest node of the ring (nullptr: empty)
  std::size_t bytes = 0;     ///< nodes + keys + values
  std::size_t count = 0;
  std::size_t max_bytes = 0;
  std::size_t max_entries = 0;

  std::size_t bucket_bytes() const noexcept { return heap_chunk(buckets.size() * sizeof(void*)); }
  std::size_t total() const noexcept { return bytes + bucket_bytes(); }

  NearNode** slot(std::uint64_t h) noexcept { return &buckets[h & (buckets.size() - 1)]; }

  NearNode* find(std::string_view key, std::uint64_t h) noexcept {
    for (NearNode* n = *slot(h); n != nullptr; n = n->chain)
      if (n->hash == h && n->key() == key) return n;
    return nullptr;
  }

  void link(NearNode* n) {
    NearNode** s = slot(n->hash);
    n->chain = *s;
    *s = n;
    if (hand == nullptr) {
      n->prev = n->next = n;
      hand = n;
    } else {  // newest: just before the hand
      n->next = hand;
      n->prev = hand->prev;
      hand->prev->next = n;
      hand->prev = n;
    }
    bytes += n->bytes;
    ++count;
  }

  /// Unlinks and frees n; counts it in the owner's `counter` when it held a value.
  void remove(NearNode* n, std::atomic<std::uint64_t> StatsCounters::*counter) noexcept {
    for (NearNode** s = slot(n->hash); *s != nullptr; s = &(*s)->chain) {
      if (*s == n) {
        *s = n->chain;
        break;
      }
    }
    if (n->next == n) {
      hand = nullptr;
    } else {
      n->prev->next = n->next;
      n->next->prev = n->prev;
      if (hand == n) hand = n->next;
    }
    bytes -= n->bytes;
    --count;
    if (!n->pending) {
      if (counter != nullptr) bump(n->owner->stats.*counter);
      n->value->destroy(n->value);
    }
    n->~NearNode();
    std::free(n);
  }

  void grow() {
    if (count < buckets.size()) return;
    std::vector<NearNode*> old(buckets.size() * 2, nullptr);
    old.swap(buckets);
    for (NearNode* head : old) {
      while (head != nullptr) {
        NearNode* next = head->chain;
        NearNode** s = slot(head->hash);
        head->chain = *s;
        *s = head;
        head = next;
      }
    }
  }

  /// Evicts (CLOCK) until `extra` more bytes and one more entry fit; never
  /// evicts `keep`. False when they cannot fit.
  bool make_room(std::size_t extra, bool new_entry, const NearNode* keep) noexcept {
    std::size_t budget = 2 * count + 2;  // each node is passed at most twice
    while (total() + extra > max_bytes || (max_entries != 0 && new_entry && count >= max_entries)) {
      if (hand == nullptr || budget-- == 0) return false;
      NearNode* n = hand;
      if (n == keep || n->referenced) {
        n->referenced = false;
        hand = n->next;  // a second chance: now the newest
        if (n == keep && count == 1) return false;
        continue;
      }
      remove(n, &StatsCounters::near_evictions);
    }
    return true;
  }
};

NearStore::NearStore(std::size_t max_bytes, std::size_t max_entries) : max_bytes_(max_bytes) {
  // 16 shards for budgets of a megabyte and more; fewer for small budgets so
  // that one shard still holds a useful number of entries.
  std::size_t n = std::bit_floor(std::max<std::size_t>(max_bytes / 65536, 1));
  if (max_entries != 0) n = std::min(n, std::bit_floor(max_entries));
  shard_count_ = std::clamp<std::size_t>(n, 1, 16);
  shards_ = std::make_unique<Shard[]>(shard_count_);
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_[i].max_bytes = max_bytes / shard_count_;
    shards_[i].max_entries = max_entries / shard_count_;
  }
}

NearStore::~NearStore() {
  for (std::size_t i = 0; i < shard_count_; ++i)
    while (shards_[i].hand != nullptr) shards_[i].remove(shards_[i].hand, nullptr);
}

std::uint64_t NearStore::hash(std::string_view key) noexcept {
  return std::hash<std::string_view>{}(key);
}

NearStore::Shard& NearStore::shard_of(std::uint64_t h) noexcept {
  return shards_[(h >> 48) & (shard_count_ - 1)];
}

std::size_t NearStore::node_overhead(std::size_t key_size) noexcept {
  // Node + malloc header + rounding, a bucket pointer (load factor <= 1, so
  // up to two after a doubling), the value holder's header and malloc header.
  return node_bytes(key_size) - key_size + 2 * sizeof(void*) + sizeof(NearValue) + 8;
}

bool NearStore::get(std::string_view key, std::uint64_t h, std::int64_t now, NearCopy copy,
                    void* out, std::uint64_t state) {
  if ((state & 1) == 0) return false;
  Shard& s = shard_of(h);
  std::lock_guard lock(s.mu);
  NearNode* n = s.find(key, h);
  if (n == nullptr || n->pending) return false;
  if (n->expires <= now) {
    s.remove(n, &StatsCounters::near_evictions);
    return false;
  }
  n->referenced = true;
  copy(*n->value, out);
  return true;
}

std::uint64_t NearStore::begin(std::string_view key, std::uint64_t h, std::uint64_t state,
                               const FunctionState* owner) {
  if ((state & 1) == 0) return 0;
  const std::uint64_t token = next_token_.fetch_add(1, std::memory_order_relaxed);
  Shard& s = shard_of(h);
  std::lock_guard lock(s.mu);
  if (NearNode* n = s.find(key, h)) {
    if (!n->pending) return 0;  // filled meanwhile: this GET just reads Redis
    n->token = token;           // the older fill will be refused
    n->state = state;
    n->owner = owner;
    return token;
  }
  const std::size_t nb = node_bytes(key.size());
  // The bucket array doubles once the table is full: room for that too.
  const std::size_t grown =
      s.count + 1 >= s.buckets.size()
          ? heap_chunk(2 * s.buckets.size() * sizeof(void*)) - s.bucket_bytes()
          : 0;
  if (!s.make_room(nb + grown, true, nullptr)) return 0;
  void* mem = std::malloc(sizeof(NearNode) + key.size());
  if (mem == nullptr) return 0;
  auto* n = ::new (mem) NearNode{};
  std::memcpy(n + 1, key.data(), key.size());
  n->hash = h;
  n->token = token;
  n->state = state;
  n->owner = owner;
  n->bytes = static_cast<std::uint32_t>(nb);
  n->key_len = static_cast<std::uint32_t>(key.size());
  n->pending = true;
  s.link(n);
  s.grow();
  return token;
}

bool NearStore::fill(std::string_view key, std::uint64_t h, std::uint64_t token,
                     std::uint64_t state, const std::atomic<std::uint64_t>& current,
                     NearValue* value, std::size_t value_bytes, std::int64_t expires) {
  Shard& s = shard_of(h);
  {
    std::lock_guard lock(s.mu);
    NearNode* n = s.find(key, h);
    if (n != nullptr && n->pending && n->token == token && n->state == state &&
        current.load(std::memory_order_acquire) == state) {
      if (value_bytes <= s.max_bytes && s.make_room(value_bytes, false, n)) {
        n->pending = false;
        n->value = value;
        n->expires = expires;
        n->bytes += static_cast<std::uint32_t>(value_bytes);
        s.bytes += value_bytes;
        return true;
      }
      s.remove(n, nullptr);  // too big for the budget: not kept
    }
  }
  value->destroy(value);
  return false;
}

void NearStore::cancel(std::string_view key, std::uint64_t h, std::uint64_t token) noexcept {
  Shard& s = shard_of(h);
  std::lock_guard lock(s.mu);
  NearNode* n = s.find(key, h);
  if (n != nullptr && n->pending && n->token == token) s.remove(n, nullptr);
}

void NearStore::evict(std::string_view key, std::uint64_t h) noexcept {
  Shard& s = shard_of(h);
  std::lock_guard lock(s.mu);
  if (NearNode* n = s.find(key, h)) s.remove(n, &StatsCounters::near_invalidations);
}

void NearStore::evict_prefix(std::string_view prefix) noexcept {
  for (std::size_t i = 0; i < shard_count_; ++i) {
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    for (std::size_t left = s.count; left > 0 && s.hand != nullptr; --left) {
      NearNode* n = s.hand;
      s.hand = n->next;
      if (n->key().starts_with(prefix)) s.remove(n, &StatsCounters::near_invalidations);
    }
  }
}

void NearStore::forget(const FunctionState* owner) noexcept {
  std::lock_guard owners(owners_mu_);
  for (std::size_t i = 0; i < shard_count_; ++i) {
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    for (std::size_t left = s.count; left > 0 && s.hand != nullptr; --left) {
      NearNode* n = s.hand;
      s.hand = n->next;
      if (n->owner == owner) s.remove(n, nullptr);
    }
  }
}

void NearStore::flush() noexcept {
  std::lock_guard owners(owners_mu_);  // no owner goes away while it is counted
  std::vector<const FunctionState*> hit;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    while (s.hand != nullptr) {
      NearNode* n = s.hand;
      if (!n->pending) {
        try {
          if (std::find(hit.begin(), hit.end(), n->owner) == hit.end()) hit.push_back(n->owner);
        } catch (const std::bad_alloc&) {  // only a counter is lost
        }
      }
      s.remove(n, nullptr);
    }
  }
  for (const FunctionState* f : hit) bump(f->stats.near_flushes);
}

std::size_t NearStore::entries() const noexcept {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    total += shards_[i].count;
  }
  return total;
}

std::size_t NearStore::bytes() const noexcept {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    total += shards_[i].total();
  }
  return total;
}

}  // namespace redis_cache::detail
