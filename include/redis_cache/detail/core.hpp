// The non-template core under every cached function: all Redis traffic of the
// cache goes through CacheCore (src/cache_core.cpp), so the templates in
// cached_function.hpp only build keys and encode/decode values.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <redis_cache/detail/scratch_cap.hpp>
#include <redis_cache/options.hpp>
#include <redis_cache/stats.hpp>

namespace redis_cache::detail {

class Client;
class CacheCore;
class Connection;

/// Everything one cached function needs at run time, computed once when it is created.
struct FunctionState {
  std::shared_ptr<CacheCore> core;
  std::string name;         ///< C++ name of the function ("app::load_user")
  std::string ns;           ///< namespace of its keys
  std::string ns_prefix;    ///< "{rc:ns}:" — every key of the function starts with it
  std::string key_prefix;   ///< ns_prefix + "<schema>:" (msgpack / json) or ns_prefix (python)
  std::string index_key;    ///< ns_prefix + "keys" — the FIFO index (limit > 0)
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
  ExceptionHandler handler;  ///< resolved: the function's own, else the cache's (may be empty)
  mutable StatsCounters stats;
  mutable std::atomic<bool> schema_written{false};
};

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
/// the reply is owned here and freed with this object. Filled by CacheCore::fetch.
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
  friend class CacheCore;
  // A Reply (src/client/reply.hpp: a pointer and a unique_ptr), kept opaque so
  // that public headers never see hiredis; CacheCore::fetch checks the size.
  alignas(void*) unsigned char reply_[2 * sizeof(void*)];
  bool has_reply_ = false;
  std::string_view bytes_;
};

class CacheCore {
 public:
  explicit CacheCore(Options options);
  ~CacheCore();
  CacheCore(const CacheCore&) = delete;
  CacheCore& operator=(const CacheCore&) = delete;

  const Options& options() const noexcept { return options_; }

  /// GET key into out (an empty one). Returns out.found(). Throws Error.
  bool fetch(const FunctionState& fn, std::string_view key, FetchedValue& out);
  /// Stores value under key: SET [EX] (limit 0) or the FIFO script. Throws Error.
  void store(const FunctionState& fn, std::string_view key, std::string_view value);
  /// SET lock_key token NX PX ttl: true when this caller now holds the lock. Throws Error.
  bool try_lock(const FunctionState& fn, std::string_view lock_key, std::string_view token,
                std::chrono::milliseconds ttl);
  /// Deletes lock_key only if it still holds token (a compare-and-delete script).
  void unlock(const FunctionState& fn, std::string_view lock_key, std::string_view token);
  /// DEL key (and ZREM from the index). Returns whether the value existed. Throws Error.
  bool invalidate(const FunctionState& fn, std::string_view key);
  /// Removes every key of the function's namespace (SCAN + UNLINK). Returns the count.
  std::size_t invalidate_all(const FunctionState& fn);
  /// MGET of keys (any functions): values[i] is the value of keys[i] or nullopt;
  /// the bytes live in the replies that `keep` holds (no copy). Throws Error.
  void mget(std::span<const std::string_view> keys,
            std::vector<std::optional<std::string_view>>& values, std::shared_ptr<void>& keep);
  /// Stores many values in one pipeline. Throws Error (after sending all).
  void store_many(std::span<const StoreItem> items);

  /// Calls fn(batch) for every key under ns_prefix (SCAN MATCH with the
  /// prefix's glob characters escaped), in batches. Shared with the CLI.
  void scan_namespace(std::string_view ns_prefix,
                      const std::function<void(std::span<const std::string>)>& fn);
  /// Calls fn(batch, node) for every key matching the SCAN MATCH pattern on every
  /// node holding data (each master of a cluster, the one server otherwise), in
  /// batches; `node` is the connection to the node the batch's keys live on (for
  /// commands about them). The CLI's ls and stats scan all namespaces with it.
  void scan_all_nodes(std::string_view pattern,
                      const std::function<void(std::span<const std::string>, Connection&)>& fn);

  Client& client() noexcept { return *client_; }

 private:
  Options options_;
  std::unique_ptr<Client> client_;
};

/// The key's schema segment under a codec ("" for Codec::python: no segment).
std::string codec_schema(Codec codec, std::string_view msgpack_schema);
/// Builds "{prefix:ns}:" (support_cluster) or "prefix:ns:".
std::string namespace_prefix(const Options& options, std::string_view ns);
/// Escapes * ? [ ] \ for a SCAN MATCH pattern.
std::string glob_escape(std::string_view s);
/// Throws ConfigError when ns is unusable (empty, contains '{' or '}').
void check_namespace(std::string_view ns);

/// Thread-local, re-entrant scratch strings (a nested cached call gets its own).
/// Steady state allocates nothing; a thread does not keep the capacity of the
/// largest key or value it ever saw (see scratch_keep_bytes).
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string& str() noexcept { return *s_; }

 private:
  std::string* s_;
};

/// Bytes the calling thread's scratch buffers hold (their capacities), for tests.
std::size_t scratch_capacity() noexcept;

}  // namespace redis_cache::detail
