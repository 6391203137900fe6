// The batch path shared by CachedFunction::mget and RedisCache::mget:
// one MGET for all keys, then, in call order, decode each hit or compute each
// miss, then one pipeline storing every computed value.
//
// A batch of hits is the common case and costs what hand-written hiredis code
// costs: keys built into one buffer, one pass over the reply, each value
// decoded straight into the result vector. Only misses allocate bookkeeping
// (their encoded values, kept until the store pipeline).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <redis_cache/codec/codec.hpp>
#include <redis_cache/detail/core.hpp>
#include <redis_cache/detail/result_codec.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

/// The keys of a batch: built one after the other into a single buffer (one
/// allocation, not one per key), then viewed for the MGET.
class BatchKeys {
 public:
  BatchKeys(std::size_t count, std::size_t bytes_per_key);
  /// The buffer to append the next key to; call end_key() after appending.
  std::string& buffer() noexcept { return buf_; }
  void end_key();
  /// Views of every key (valid while this object lives and no key is added).
  std::vector<std::string_view> views() const;

 private:
  std::string buf_;
  std::vector<std::size_t> ends_;
};

/// What one MGET found: values[i] is the value of key i, or nullopt. The bytes
/// live in the replies that `keep` holds (no copy).
struct BatchFound {
  std::vector<std::optional<std::string_view>> values;
  std::shared_ptr<void> keep;
};

/// A computed value waiting for the store pipeline.
struct PendingStore {
  const FunctionState* fn;
  std::string_view key;  ///< owned by the caller's key buffer
  std::string encoded;
};

/// A Redis failure of a batch: counted once, and handled once, per function
/// in it (not once per call). Rethrows unless every function has a handler.
/// Must be called from the catch block. (src/handle_error.cpp)
void handle_batch_error(std::span<const FunctionState* const> fns, const Error& e);

/// Looks every key up with one MGET. On a Redis failure calls on_error(e) from
/// the catch block (which rethrows, or lets the handlers decide) and returns
/// false: the caller falls back to computing every call.
template <class OnError>
bool batch_lookup(CacheCore& core, std::span<const std::string_view> keys, BatchFound& found,
                  OnError&& on_error) {
  try {
    io::mget(core, keys, found.values, found.keep);
  } catch (const Error& e) {
    on_error(e);
    return false;
  }
  return true;
}

/// Appends the value decoded from bytes to out. Returns false (a miss, counted
/// in decode_failures, nothing appended) when the bytes do not decode as R.
template <class R>
bool decode_append(std::vector<R>& out, const FunctionState& st, std::string_view bytes) {
  try {
    if constexpr (decodes_in_place_v<R>)
      out.emplace_back(DecodeAs<R>{st, bytes});  // constructed in place
    else
      out.push_back(decode_result<R>(st, bytes));
    return true;
  } catch (const DecodeError&) {
    bump(st.stats.decode_failures);  // a miss: recompute and overwrite
    return false;
  }
}

/// A miss of a batch: computes the value and queues it for the store
/// pipeline (unless it cannot be encoded, which goes to the handler).
template <class R, class Compute>
R batch_miss(const FunctionState& st, std::string_view key, std::vector<PendingStore>& stores,
             Compute&& compute) {
  bump(st.stats.misses);
  const NotifyMiss notify_miss{st, {}};  // a batch's calls are not timed
  R value = compute();
  std::string encoded;
  try {
    encode_result(st, value, encoded);
    stores.push_back({&st, key, std::move(encoded)});
  } catch (const ConfigError& e) {  // a string that JSON cannot carry: not stored
    handle_redis_error(st, e);
  }
  return value;
}

/// The result of one call of a batch: decoded hit, or computed (and queued).
template <class R, class Compute>
R batch_resolve(const FunctionState& st, std::string_view key,
                const std::optional<std::string_view>& found, std::vector<PendingStore>& stores,
                Compute&& compute) {
  if (found) {
    try {
      const CallStart untimed{};  // a batch's calls are not timed
      return decode_counted<R>(st, *found, st.stats.hits(), &untimed);  // in the caller's slot
    } catch (const DecodeError&) {
      bump(st.stats.decode_failures);
    }
  }
  return batch_miss<R>(st, key, stores, std::forward<Compute>(compute));
}

/// Stores every computed value in one pipeline; failures go to the handlers.
/// (src/batch.cpp)
void batch_store(CacheCore& core, std::span<const PendingStore> stores);

/// Adds n to a counter at once (a batch's hits: one atomic add, not n).
inline void bump_by(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept {
  if (n != 0) c.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace redis_cache::detail
