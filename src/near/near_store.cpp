// NearStore (see near_store.hpp): sharded hash tables of nodes with inline
// keys, S3-FIFO eviction within a byte and an entry budget per shard.
#include "near/near_store.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

namespace redis_cache::detail {

/// One entry: a pending placeholder (token, the near state it began in) or a
/// value (its holder, its local expiry). The key follows the node in the
/// same allocation.
struct NearNode {
  NearNode* chain;  ///< next node of the same bucket
  NearNode* prev;   ///< its ring (small or main FIFO), in insertion order
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
  bool in_main;       ///< in the main FIFO (else the small one)
  std::uint8_t freq;  ///< hits, up to 3, since it entered its FIFO (main: minus passes)

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
  NearNode* small = nullptr;  ///< oldest node of the small FIFO (nullptr: empty)
  NearNode* main = nullptr;   ///< oldest node of the main FIFO
  std::size_t bytes = 0;      ///< nodes + keys + values
  std::size_t small_bytes = 0;
  std::size_t count = 0;
  std::size_t max_bytes = 0;
  std::size_t max_entries = 0;
  /// The ghost FIFO of S3-FIFO, approximated: the tags of keys evicted from
  /// the small FIFO, one per bucket (a newer one overwrites).
  std::vector<std::uint16_t> ghost = std::vector<std::uint16_t>(kMinBuckets, 0);

  std::size_t bucket_bytes() const noexcept {
    return heap_chunk(buckets.size() * sizeof(void*)) +
           heap_chunk(ghost.size() * sizeof(std::uint16_t));
  }
  std::size_t total() const noexcept { return bytes + bucket_bytes(); }

  NearNode** slot(std::uint64_t h) noexcept { return &buckets[h & (buckets.size() - 1)]; }
  static std::uint16_t tag(std::uint64_t h) noexcept {
    return static_cast<std::uint16_t>((h >> 32) | 1);  // never 0 (empty)
  }
  std::uint16_t& ghost_of(std::uint64_t h) noexcept { return ghost[h & (ghost.size() - 1)]; }

  NearNode* find(std::string_view key, std::uint64_t h) noexcept {
    for (NearNode* n = *slot(h); n != nullptr; n = n->chain)
      if (n->hash == h && n->key() == key) return n;
    return nullptr;
  }

  static void ring_push(NearNode*& oldest, NearNode* n) noexcept {
    if (oldest == nullptr) {
      n->prev = n->next = n;
      oldest = n;
    } else {  // newest: just before the oldest
      n->next = oldest;
      n->prev = oldest->prev;
      oldest->prev->next = n;
      oldest->prev = n;
    }
  }
  static void ring_unlink(NearNode*& oldest, NearNode* n) noexcept {
    if (n->next == n) {
      oldest = nullptr;
    } else {
      n->prev->next = n->next;
      n->next->prev = n->prev;
      if (oldest == n) oldest = n->next;
    }
  }

  /// A new node enters the small FIFO, or the main one if the ghost
  /// remembers its key (evicted from small not long ago, wanted again).
  void link(NearNode* n) {
    NearNode** s = slot(n->hash);
    n->chain = *s;
    *s = n;
    std::uint16_t& g = ghost_of(n->hash);
    n->in_main = g == tag(n->hash);
    if (n->in_main) g = 0;
    ring_push(n->in_main ? main : small, n);
    bytes += n->bytes;
    if (!n->in_main) small_bytes += n->bytes;
    ++count;
  }

  /// The bytes of n grew by extra (its value arrived).
  void grew(NearNode* n, std::size_t extra) noexcept {
    n->bytes += static_cast<std::uint32_t>(extra);
    bytes += extra;
    if (!n->in_main) small_bytes += extra;
  }

  /// Unlinks and frees n; counts it in the owner's `counter` when it held a value.
  void remove(NearNode* n, std::atomic<std::uint64_t> StatsCounters::*counter) noexcept {
    for (NearNode** s = slot(n->hash); *s != nullptr; s = &(*s)->chain) {
      if (*s == n) {
        *s = n->chain;
        break;
      }
    }
    ring_unlink(n->in_main ? main : small, n);
    bytes -= n->bytes;
    if (!n->in_main) small_bytes -= n->bytes;
    --count;
    if (!n->pending) {
      if (counter != nullptr) bump(n->owner->stats.*counter);
      n->value->destroy(n->value);
    }
    n->~NearNode();
    std::free(n);
  }

  /// Calls f(n) on every node (f may remove n).
  template <class F>
  void sweep(F&& f) {
    for (NearNode** ring : {&small, &main}) {
      std::size_t left = 0;
      if (NearNode* const first = *ring) {
        const NearNode* n = first;
        do {
          ++left;
          n = n->next;
        } while (n != first);
      }
      for (; left > 0 && *ring != nullptr; --left) {
        NearNode* n = *ring;
        *ring = n->next;
        f(n);
      }
    }
  }

  void clear(std::atomic<std::uint64_t> StatsCounters::*counter) noexcept {
    while (small != nullptr) remove(small, counter);
    while (main != nullptr) remove(main, counter);
  }

  void grow() {
    if (count < buckets.size()) return;
    std::vector<NearNode*> old(buckets.size() * 2, nullptr);
    ghost.assign(old.size(), 0);  // as many remembered keys as buckets
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

  /// Evicts (S3-FIFO) until `extra` more bytes and one more entry fit; never
  /// evicts `keep`. False when they cannot fit.
  ///
  /// S3-FIFO (Yang et al., SOSP 2023): new keys enter a small FIFO (~10 % of
  /// the bytes); leaving it, a node hit meanwhile moves to the main FIFO, the
  /// others are evicted and their key remembered in the ghost (wanted again
  /// soon, it enters main directly). Main gives a node with hits another
  /// round (one hit fewer) instead of evicting it. Most keys read once never
  /// reach main: they cannot push out the hot ones (measured against CLOCK
  /// and LRU in tests/bench/near_bench.cpp).
  bool make_room(std::size_t extra, bool new_entry, const NearNode* keep) noexcept {
    std::size_t budget = 5 * count + 4;  // each node is passed at most ~5 times
    while (total() + extra > max_bytes || (max_entries != 0 && new_entry && count >= max_entries)) {
      if (budget-- == 0) return false;
      const bool small_alone = small != nullptr && small == keep && small->next == small;
      if (small != nullptr && !small_alone && (main == nullptr || small_bytes * 10 >= bytes)) {
        NearNode* n = small;
        if (n == keep) {
          small = n->next;  // not this one
          continue;
        }
        if (n->freq > 0) {  // hit while in small: to main
          ring_unlink(small, n);
          small_bytes -= n->bytes;
          n->in_main = true;
          n->freq = 0;
          ring_push(main, n);
          continue;
        }
        ghost_of(n->hash) = tag(n->hash);
        remove(n, &StatsCounters::near_evictions);
        continue;
      }
      NearNode* n = main;
      if (n == nullptr || (n == keep && n->next == n)) return false;
      if (n == keep || n->freq > 0) {
        if (n->freq > 0) --n->freq;
        main = n->next;  // another round
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
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].clear(nullptr);
}

namespace {
/// Per process (keys that collide here collide nowhere else); a function's
/// static, so that a near cache made during static initialisation hashes as
/// every later call does.
std::uint64_t hash_seed() noexcept {
  static const std::uint64_t seed = [] {
    std::uint64_t s = 0;
    try {
      std::random_device rd;
      for (int i = 0; i < 2; ++i) s = (s << 32) | rd();
    } catch (...) {  // no entropy source: an address, moved by ASLR
      static const char anchor = 0;
      s = reinterpret_cast<std::uintptr_t>(&anchor);
    }
    return s;
  }();
  return seed;
}
}  // namespace

// Eight bytes per multiply and a full avalanche at the end: about a third of
// std::hash's instructions for a typical key (40-60 bytes), and the high
// bits (the shard) as good as the low (the bucket).
std::uint64_t NearStore::hash(std::string_view key) noexcept {
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = hash_seed() ^ (key.size() * k);
  const char* p = key.data();
  std::size_t n = key.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * k;
    h ^= h >> 32;
  }
  if (n != 0) {
    std::uint64_t w = 0;
    if (key.size() >= 8) {  // the last eight bytes (some read twice)
      std::memcpy(&w, key.data() + key.size() - 8, 8);
    } else {
      for (std::size_t i = 0; i < n; ++i)
        w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    }
    h = (h ^ w) * k;
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

NearStore::Shard& NearStore::shard_of(std::uint64_t h) noexcept {
  return shards_[shard_index(h)];
}

std::size_t NearStore::node_overhead(std::size_t key_size) noexcept {
  // Node + malloc header + rounding, a bucket pointer and a ghost tag (load
  // factor <= 1, so up to two each after a doubling), the value holder's
  // header and malloc header.
  return node_bytes(key_size) - key_size + 2 * (sizeof(void*) + sizeof(std::uint16_t)) +
         sizeof(NearValue) + 8;
}

const NearValue* NearStore::find(std::string_view key, std::uint64_t h, std::int64_t now,
                                 std::uint64_t state, void*& held) {
  if ((state & 1) == 0) return nullptr;
  Shard& s = shard_of(h);
  std::unique_lock lock(s.mu);
  NearNode* n = s.find(key, h);
  if (n == nullptr || n->pending) return nullptr;
  if (n->expires <= now) {
    s.remove(n, &StatsCounters::near_evictions);
    return nullptr;
  }
  if (n->freq < 3) ++n->freq;
  held = lock.release();
  return n->value;
}

void NearStore::release(void* held) noexcept {
  static_cast<std::mutex*>(held)->unlock();
}

bool NearStore::get(std::string_view key, std::uint64_t h, std::int64_t now, NearCopy copy,
                    void* out, std::uint64_t state) {
  void* held = nullptr;
  const NearValue* v = find(key, h, now, state, held);
  if (v == nullptr) return false;
  const std::unique_lock lock(*static_cast<std::mutex*>(held), std::adopt_lock);
  copy(*v, out);
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
  const std::size_t grown = s.count + 1 >= s.buckets.size()
                                ? heap_chunk(2 * s.buckets.size() * sizeof(void*)) +
                                      heap_chunk(2 * s.ghost.size() * sizeof(std::uint16_t)) -
                                      s.bucket_bytes()
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
        s.grew(n, value_bytes);
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
    s.sweep([&](NearNode* n) {
      if (n->key().starts_with(prefix)) s.remove(n, &StatsCounters::near_invalidations);
    });
  }
}

void NearStore::forget(const FunctionState* owner) noexcept {
  std::lock_guard owners(owners_mu_);
  for (std::size_t i = 0; i < shard_count_; ++i) {
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    s.sweep([&](NearNode* n) {
      if (n->owner == owner) s.remove(n, nullptr);
    });
  }
}

void NearStore::flush() noexcept {
  std::lock_guard owners(owners_mu_);  // no owner goes away while it is counted
  std::vector<const FunctionState*> hit;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    s.sweep([&](NearNode* n) {
      if (!n->pending) {
        try {
          if (std::find(hit.begin(), hit.end(), n->owner) == hit.end()) hit.push_back(n->owner);
        } catch (const std::bad_alloc&) {  // only a counter is lost
        }
      }
      s.remove(n, nullptr);
    });
  }
  for (const FunctionState* f : hit) bump(f->stats.near_flushes);
}

bool NearStore::holds(std::string_view key, std::uint64_t h) noexcept {
  Shard& s = shard_of(h);
  std::lock_guard lock(s.mu);
  return s.find(key, h) != nullptr;
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
