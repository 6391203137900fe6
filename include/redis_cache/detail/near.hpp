// redis_cache/detail/near.hpp — what the templates need of the near cache
// (src/near/): a type-erased holder of one decoded value, an estimate of its
// heap cost, and the calls of the fill protocol (DESIGN.md §8):
//   near_get    a near hit: lookup and copy of the value under the shard's lock
//   near_begin  a pending placeholder with a fresh token, before the GET is sent
//   fetch_near  GET + PTTL in one round trip (the local expiry)
//   near_fill   the decoded value lands only in the placeholder with the same
//               token, and only if the listener was not lost in between
//   near_cancel the placeholder goes (miss, error, undecodable value)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>

#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/detail/core.hpp>

namespace redis_cache::detail {

/// One decoded value kept near. No virtual table: the destroy function is
/// the only thing the store calls.
struct NearValue {
  void (*destroy)(NearValue*) noexcept;
};

template <class R>
struct NearValueOf final : NearValue {
  R value;
  explicit NearValueOf(const R& v) : NearValue{&destroy_of}, value(v) {}
  static void destroy_of(NearValue* p) noexcept { delete static_cast<NearValueOf*>(p); }
};

/// Copies the value of a NearValueOf<R> into the std::optional<R> at out.
template <class R>
void near_copy(const NearValue& v, void* out) {
  static_cast<std::optional<R>*>(out)->emplace(static_cast<const NearValueOf<R>&>(v).value);
}
using NearCopy = void (*)(const NearValue&, void*);

namespace io {
struct NearHit;
void near_release(NearHit& hit) noexcept;
}  // namespace io

/// A near hit being served: the value, its shard's lock held until this goes,
/// so that it is copied straight into the caller's return slot (NearHitAs).
struct io::NearHit {
  const NearValue* value = nullptr;
  void* held = nullptr;
  NearHit() = default;
  NearHit(const NearHit&) = delete;
  NearHit& operator=(const NearHit&) = delete;
  ~NearHit() { release(); }
  void release() noexcept {
    if (value != nullptr) near_release(*this);
    value = nullptr;
  }
};

/// Converts to the R of a NearHit: `return NearHitAs<R>{hit};` copies the
/// value once, into the return slot (no std::optional, no move).
template <class R>
struct NearHitAs {
  const io::NearHit& hit;
  operator R() const {  // NOLINT(google-explicit-constructor): the point of it
    return static_cast<const NearValueOf<R>&>(*hit.value).value;
  }
};

/// What glibc's malloc takes for a request of n bytes (8-byte header, 16-byte
/// steps, 32 at least): the honest cost of one allocation.
constexpr std::size_t heap_chunk(std::size_t n) noexcept {
  if (n == 0) return 0;
  const std::size_t c = (n + 8 + 15) & ~std::size_t{15};
  return c < 32 ? 32 : c;
}

/// The heap a value owns beyond its own sizeof (estimated from the standard
/// containers' layout; `unknown` is set for types the walk cannot see into).
struct HeapCount {
  std::size_t bytes = 0;
  bool unknown = false;
};

template <class T>
void count_heap(const T& v, HeapCount& c) {
  namespace cd = codec::detail;
  using K = cd::kind;
  constexpr K k = cd::kind_v<T>;
  if constexpr (k == K::string) {
    if constexpr (cd::is_string<T>::value) {
      const char* p = reinterpret_cast<const char*>(v.data());
      const char* self = reinterpret_cast<const char*>(&v);
      if (p < self || p >= self + sizeof(T)) c.bytes += heap_chunk(v.capacity() + 1);
    }
  } else if constexpr (k == K::optional) {
    if (v) count_heap(*v, c);
  } else if constexpr (k == K::variant) {
    std::visit([&](const auto& x) { count_heap(x, c); }, v);
  } else if constexpr (k == K::tuple) {
    std::apply([&](const auto&... x) { (count_heap(x, c), ...); }, v);
  } else if constexpr (k == K::fixed_array) {
    for (const auto& x : v) count_heap(x, c);
  } else if constexpr (k == K::sequence || k == K::map || k == K::set) {
    using E = typename T::value_type;
    if constexpr (requires {
                    v.capacity();
                    v.data();
                  }) {
      c.bytes += heap_chunk(v.capacity() * sizeof(E));  // vector
    } else if constexpr (k == K::sequence && requires { v.shrink_to_fit(); }) {
      c.bytes += (v.size() * sizeof(E) / 512 + 1) * heap_chunk(512) + heap_chunk(64);  // deque
    } else if constexpr (cd::unordered<T>) {
      c.bytes += v.size() * heap_chunk(sizeof(E) + 16) + heap_chunk(v.bucket_count() * 8);
    } else {
      c.bytes += v.size() * heap_chunk(sizeof(E) + 32);  // tree or list nodes
    }
    for (const auto& x : v) count_heap(x, c);
  } else if constexpr (k == K::described) {
    boost::mp11::mp_for_each<cd::members_t<T>>([&](auto D) { count_heap(v.*D.pointer, c); });
  } else if constexpr (k == K::pfr) {
    boost::pfr::for_each_field(v, [&](const auto& f) { count_heap(f, c); });
  } else if constexpr (k == K::hook || k == K::msgpack_native) {
    c.unknown = true;
  } else if constexpr (std::is_class_v<T> && !std::is_empty_v<T> && k != K::duration &&
                       k != K::time_point && k != K::monostate) {
    c.unknown = true;
  }
}

/// The heap cost of keeping v near (its holder and everything it owns). For a
/// type the walk cannot see into, twice its encoded size stands in.
template <class R>
std::size_t near_value_bytes(const R& v, std::size_t encoded_size) {
  HeapCount c;
  count_heap(v, c);
  if (c.unknown && c.bytes < 2 * encoded_size) c.bytes = 2 * encoded_size;
  return heap_chunk(sizeof(NearValueOf<R>)) + c.bytes;
}

/// A fill in flight: the placeholder's token (0: the near tier is bypassed,
/// nothing to fill), the near state it began in, and the local expiry the
/// GET + PTTL gave.
struct NearTicket {
  std::uint64_t token = 0;
  std::uint64_t state = 0;
  std::uint64_t hash = 0;
  std::int64_t expires = 0;  ///< coarse monotonic ns; INT64_MAX = none
};

namespace io {

/// A near hit: the value, its lock held by hit (false: none, nothing held).
bool near_find(const FunctionState& fn, std::string_view key, NearHit& hit);
/// A near hit: copies the value into *out (a std::optional<R>) with copy.
bool near_get(const FunctionState& fn, std::string_view key, NearCopy copy, void* out);
/// Inserts the pending placeholder. ticket.token == 0 when the near tier is
/// bypassed (listener not subscribed, over budget).
NearTicket near_begin(const FunctionState& fn, std::string_view key);
/// GET (and PTTL, when ticket.token != 0, into ticket.expires) in one round trip.
bool fetch_near(const FunctionState& fn, std::string_view key, FetchedValue& out,
                NearTicket& ticket);
/// Fills the placeholder with value (owned from here on: destroyed if refused).
/// value_bytes: near_value_bytes(). Returns whether it was kept.
bool near_fill(const FunctionState& fn, std::string_view key, const NearTicket& ticket,
               NearValue* value, std::size_t value_bytes);
/// Removes the placeholder if it still holds ticket's token.
void near_cancel(const FunctionState& fn, std::string_view key, const NearTicket& ticket) noexcept;
/// Evicts key from the near cache (invalidate).
void near_evict(const FunctionState& fn, std::string_view key) noexcept;
/// Evicts every near entry of the function's namespace (invalidate_all).
void near_evict_namespace(const FunctionState& fn) noexcept;

}  // namespace io

/// One call of RedisCache::mget served near: copies the value into out and
/// counts a near hit; false (out untouched) when it is not near.
template <class R>
bool near_try(const FunctionState& st, std::string_view key, std::optional<R>& out) {
  if constexpr (std::is_copy_constructible_v<R>) {
    if (st.near != nullptr && io::near_get(st, key, &near_copy<R>, &out)) {
      bump(st.stats.near_hits());
      return true;
    }
  }
  return false;
}

}  // namespace redis_cache::detail
