// redis_cache/detail/core.hpp — what the templates of a cached function need at
// run time: its FunctionState, and the calls (detail::io) through which all of its
// Redis traffic goes. The connection itself (CacheCore, src/cache_core.hpp) stays
// out of public headers: the templates build keys and encode or decode values,
// src/ sends the commands.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <redis_cache/detail/chrono.hpp>
#include <redis_cache/errors.hpp>
#include <redis_cache/events.hpp>
#include <redis_cache/options.hpp>
#include <redis_cache/stats.hpp>

namespace redis_cache::detail {

class CacheCore;  // src/cache_core.hpp
class NearCache;  // src/near/near_cache.hpp
struct Observer;  // src/metrics/observer.hpp: the event hook and latency histograms

/// Everything one cached function needs at run time, computed once when it is created.
struct FunctionState {
  /// Drops the function's near entries (their counters are these).
  ~FunctionState();
  std::shared_ptr<CacheCore> core;
  std::string name;         ///< C++ name of the function ("app::load_user")
  std::string ns;           ///< namespace of its keys
  std::string ns_prefix;    ///< "{rc:ns}:" — every key of the function starts with it
  std::string key_prefix;   ///< ns_prefix + "<schema>:" (msgpack / json) or ns_prefix (python)
  std::string index_key;    ///< ns_prefix + "keys" — the FIFO index (limit > 0)
  std::string note_key;     ///< ns_prefix + "schema" — the schema note
  std::string schema;       ///< the schema fingerprint ("" for Codec::python)
  std::string schema_note;  ///< JSON describing argument and result types (for tools)
  std::chrono::seconds ttl{0};
  std::size_t limit = 0;
  bool active = true;
  bool single_flight = true;
  std::chrono::milliseconds lock_timeout{0};
  Codec codec = Codec::msgpack;        ///< value (and, for python, key) encoding
  std::size_t compress_above = 0;      ///< zstd for values of at least this many bytes (0 = off)
  std::vector<std::string> arg_names;  ///< Codec::python: the names of the arguments
  std::vector<std::size_t> arg_order;  ///< Codec::python: argument indices sorted by name
  ExceptionHandler handler;   ///< resolved: the function's own, else the cache's (may be empty)
  NearCache* near = nullptr;  ///< the cache's near cache, when on for this function (core owns it)
  /// Options::on_event and the latency histograms; null when neither is on, and
  /// then a call observes nothing (one test of this pointer per call).
  std::shared_ptr<Observer> observer;
  mutable StatsCounters stats;
  mutable std::atomic<bool> schema_written{false};
};

/// Counts a Redis failure of one of fn's calls: in errors, and in circuit_open
/// when the call skipped Redis because of its circuit breaker.
inline void count_redis_error(const FunctionState& fn, const Error& e) noexcept {
  bump(fn.stats.errors);
  if (dynamic_cast<const CircuitOpenError*>(&e) != nullptr) bump(fn.stats.circuit_open);
}

/// When an observed call began (steady clock, ns); 0 = not timed.
struct CallStart {
  std::int64_t ns = 0;
};
/// The clock, read only when the function's latency histogram is on (src/metrics).
CallStart observe_start(const FunctionState& fn) noexcept;
/// Reports one event to the histogram of its kind and to Options::on_event.
/// Only called when fn.observer is set. Never throws.
void observe(const FunctionState& fn, EventKind kind, CallStart start) noexcept;

/// The start of a call: free unless the function is observed.
inline CallStart call_start(const FunctionState& fn) noexcept {
  if (fn.observer) [[unlikely]]
    return observe_start(fn);
  return {};
}
/// observe(), if the function is observed.
inline void notify(const FunctionState& fn, EventKind kind, CallStart start = {}) noexcept {
  if (fn.observer) [[unlikely]]
    observe(fn, kind, start);
}

/// Reports a miss when the call that missed returns (or throws): its duration
/// includes the function's own time and the fill.
struct NotifyMiss {
  const FunctionState& fn;
  CallStart start;
  NotifyMiss(const FunctionState& f, CallStart s) noexcept : fn(f), start(s) {}
  NotifyMiss(const NotifyMiss&) = delete;
  NotifyMiss& operator=(const NotifyMiss&) = delete;
  ~NotifyMiss() { notify(fn, EventKind::miss, start); }
};

/// A Redis failure of a cached call: counted, then the exception handler decides.
/// Must be called from the catch block: rethrows when there is none; returns (a
/// fallback, counted) when the handler returned. Out of line (src/handle_error.cpp):
/// the error path stays out of the code the compiler inlines into every call.
void handle_redis_error(const FunctionState& st, const Error& e);

/// What the codec needs to know about a cached function's signature at construction.
struct SignatureCodecInfo {
  std::size_t arity = 0;          ///< number of arguments
  std::string_view json_blocker;  ///< inner type JSON cannot carry ("" = none)
};

/// One store of a computed value (mget's batched fill).
struct StoreItem {
  const FunctionState* fn;
  std::string_view key;
  std::string_view value;
};

/// The value of one GET, read in place from its reply (no copy into a buffer):
/// the reply is owned here and freed with this object. Filled by io::fetch.
class FetchedValue {
 public:
  FetchedValue() noexcept = default;
  ~FetchedValue();
  FetchedValue(const FetchedValue&) = delete;
  FetchedValue& operator=(const FetchedValue&) = delete;

  /// Whether the key had a value.
  bool found() const noexcept { return has_reply_; }
  /// The value's bytes, valid while this object lives.
  std::string_view bytes() const noexcept { return bytes_; }

 private:
  friend struct FetchAccess;  // src/cache_core.cpp
  // A Reply (src/client/reply.hpp: a pointer and a unique_ptr), kept opaque so
  // that public headers never see hiredis; io::fetch checks the size.
  alignas(void*) unsigned char reply_[2 * sizeof(void*)];
  bool has_reply_ = false;
  std::string_view bytes_;
};

/// The Redis commands of cached functions (src/cache_core.cpp). Each throws an
/// Error subclass when Redis fails; the caller applies the exception handler.
namespace io {

/// GET key into out (an empty one). Returns out.found().
bool fetch(const FunctionState& fn, std::string_view key, FetchedValue& out);
/// Stores value under key: SET [EX] (limit 0) or the FIFO script; writes the
/// schema note once per process.
void store(const FunctionState& fn, std::string_view key, std::string_view value);
/// The stampede lock of a value key ("{prefix:ns}:lock:<schema>:<args>").
std::string lock_key(const FunctionState& fn, std::string_view key);
/// SET lock_key token NX PX ttl: true when this caller now holds the lock.
bool try_lock(const FunctionState& fn, std::string_view lock_key, std::string_view token,
              std::chrono::milliseconds ttl);
/// Deletes lock_key only if it still holds token (a compare-and-delete script).
void unlock(const FunctionState& fn, std::string_view lock_key, std::string_view token);
/// DEL key (and ZREM from the index). Returns whether the value existed.
bool invalidate(const FunctionState& fn, std::string_view key);
/// What invalidate_all removed: cached values, and all keys (values, FIFO index,
/// schema note, locks).
struct Removed {
  std::size_t values = 0;
  std::size_t keys = 0;
};
/// Removes every key of the function's namespace (SCAN + UNLINK).
Removed invalidate_all(const FunctionState& fn);
/// MGET of keys (any functions of one cache): values[i] is the value of keys[i]
/// or nullopt; the bytes live in the replies that `keep` holds (no copy).
void mget(CacheCore& core, std::span<const std::string_view> keys,
          std::vector<std::optional<std::string_view>>& values, std::shared_ptr<void>& keep);
/// Stores many values in one pipeline (after sending all, throws the first failure).
void store_many(CacheCore& core, std::span<const StoreItem> items);

}  // namespace io

}  // namespace redis_cache::detail
