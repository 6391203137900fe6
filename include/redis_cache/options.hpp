// redis_cache/options.hpp — connection options (Options) and per-function
// options (CacheOptions).
//
// Both are aggregates: use designated initializers. The order of the fields is
// part of the API contract; new fields are only ever appended.
//
//   rc::RedisCache cache{{.url = "redis://127.0.0.1:6379/0", .prefix = "myapp"}};
//   auto users = cache.cache<&load_user>({.ttl = std::chrono::seconds(60), .limit = 1000});
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <redis_cache/detail/chrono.hpp>
#include <redis_cache/errors.hpp>
#include <redis_cache/events.hpp>

namespace redis_cache {

/// Called when Redis fails during a cached call (connect, timeout, error reply),
/// with the error and the namespace of the call. If it returns, the call falls
/// back to the original function; if it throws, that exception propagates.
/// invalidate and invalidate_all never call it: they throw the error.
using ExceptionHandler = std::function<void(const Error& error, std::string_view ns)>;

/// How values (and, for `python`, keys) are encoded. See README "Codecs and compression".
enum class Codec {
  msgpack,  ///< compact binary, default
  json,     ///< JSON values (described types as objects, aggregates as arrays)
  python,   ///< byte-identical to python-redis-cache 4.x: share entries with Python
};

/// The circuit breaker of each server (each node of a cluster): after `failures`
/// connection failures or timeouts in a row, calls skip that server for
/// `cool_down` (they fail at once with CircuitOpenError, which goes to the
/// exception handler like any Redis failure), then one call probes it: success
/// closes the breaker, failure opens it for another cool-down. A hung server
/// then costs `failures` timeouts, not one per call.
struct CircuitBreakerOptions {
  /// Consecutive failures that open the breaker. 0 = no breaker.
  std::size_t failures = 5;
  /// How long calls skip the server before one probes it.
  std::chrono::milliseconds cool_down{1000};
};

/// The near cache: decoded values kept in process memory, served without a
/// round trip, kept coherent by Redis' server-assisted invalidation (CLIENT
/// TRACKING). See README "Near cache".
struct NearCacheOptions {
  /// Memory budget: keys + values + per-entry overhead, in bytes. 0 = no near cache.
  std::size_t max_bytes = 0;
  /// Cap on the number of entries. 0 = no cap (only max_bytes bounds them).
  std::size_t max_entries = 0;
  /// Longest a value stays near (also never longer than its Redis TTL). 0 = follow Redis.
  std::chrono::milliseconds max_ttl{0};
};

/// TLS settings for rediss://, rediss+cluster:// and rediss+sentinel:// URLs (README "Connecting
/// with TLS"). The URL's query keys tls_ca, tls_ca_dir, tls_cert, tls_key,
/// tls_sni and tls_verify win over these fields. Files are read when the
/// client is built: a missing, unreadable or non-PEM file is a ConfigError
/// naming it. Set with a plaintext URL (redis://, unix://), a ConfigError.
struct TlsOptions {
  /// PEM file of the CAs to trust ("" with ca_dir "" = the system's CAs).
  std::string ca_file = {};
  /// Directory of CA certificates named by hash (`openssl rehash`), "" = none.
  std::string ca_dir = {};
  /// Client certificate (PEM, may hold its chain) for mutual TLS; needs key_file.
  std::string cert_file = {};
  /// The client certificate's private key (PEM, not encrypted).
  std::string key_file = {};
  /// Name sent as SNI and verified against the server's certificate ("" = the
  /// URL's host). An IP address is checked against the certificate's IP
  /// entries and sent without SNI.
  std::string server_name = {};
  /// Verify the server's certificate chain and name. false turns verification
  /// off, which lets anyone on the path read and change the traffic.
  bool verify = true;
};

/// Connection and cache-wide options.
struct Options {
  /// redis://[[user:]password@]host[:port][/db][?option=value&...]
  /// unix://[[user:]password@]/path/to.sock[?db=N&...]
  /// redis+cluster://[[user:]password@]host[:port][,host[:port]...][?option=value&...]
  /// rediss://, rediss+cluster:// and rediss+sentinel:// are the same over TLS (see `tls`).
  /// redis+sentinel://[[user:]password@]host[:port][,host[:port]...]/<master>[/db][?...]
  ///   (the master Sentinel monitors; sentinel_password=, sentinel_user= for the sentinels)
  /// Query options: connect_timeout, command_timeout, pool_wait_timeout (ms, 0 = wait
  /// forever), pool_size, client_name, db, keepalive (true/false), and for rediss
  /// tls_ca, tls_ca_dir, tls_cert, tls_key, tls_sni, tls_verify; they override the
  /// fields below.
  std::string url = "redis://127.0.0.1:6379/0";
  /// First segment of every key ("rc" as in python-redis-cache).
  std::string prefix = "rc";
  /// Wrap "<prefix>:<namespace>" in {} so every key of a function shares one cluster slot.
  bool support_cluster = true;
  /// false: every call goes straight to the function; Redis is never touched.
  bool active = true;
  /// Time to establish a connection. 0 = wait forever (only when set explicitly).
  std::chrono::milliseconds connect_timeout{1000};
  /// Time for one command's reply. 0 = wait forever (only when set explicitly).
  std::chrono::milliseconds command_timeout{1000};
  /// Connections in the pool (each used by one thread at a time).
  std::size_t pool_size = 8;
  /// Default handler for Redis failures of every cached function (nullptr: throw).
  ExceptionHandler exception_handler = nullptr;
  /// Value encoding.
  Codec codec = Codec::msgpack;
  /// Compress values of at least this many bytes with zstd (0 = never).
  std::size_t compress_above = 0;
  /// How long a call waits for a free pooled connection before PoolTimeout.
  /// 0 = wait forever (only when set explicitly).
  std::chrono::milliseconds pool_wait_timeout{1000};
  /// CLIENT SETNAME for every connection ("" = do not set).
  std::string client_name = "redis_cache";
  /// Stop calling a server that keeps failing (see CircuitBreakerOptions).
  CircuitBreakerOptions circuit_breaker = {};
  /// In-process near cache shared by every function of this cache (off by default).
  NearCacheOptions near = {};
  /// TLS settings used by rediss:// URLs (the URL's tls_* keys win).
  TlsOptions tls = {};
  /// Called for every hit, miss, fill, error and fallback of every cached function
  /// of this cache (see events.hpp). nullptr: nothing is called or measured.
  EventHandler on_event = nullptr;
};

/// Options of one cached function (like python-redis-cache's cache(ttl, limit, namespace)).
struct CacheOptions {
  /// Lifetime of an entry, counted from insertion. 0 = no expiry.
  std::chrono::seconds ttl{0};
  /// Maximum entries of this function; the oldest are evicted first (FIFO). 0 = no limit.
  std::size_t limit = 0;
  /// Namespace of the keys. Empty = the function's fully qualified C++ name.
  std::string ns = {};
  /// Handler for this function's Redis failures; overrides Options::exception_handler.
  ExceptionHandler exception_handler = nullptr;
  /// Argument names (Codec::python keys are {name: value} objects).
  std::vector<std::string> arg_names = {};
  /// Concurrent misses of one key in this process call the function once; the
  /// other callers wait for that result (or its exception).
  bool single_flight = true;
  /// Cross-process stampede lock. On a miss, one process takes a lock
  /// (SET NX PX, in the function's hash tag) and computes; the others poll for
  /// its value with jittered backoff for up to this long, then compute
  /// themselves. Also the lock's expiry. 0 = off.
  std::chrono::milliseconds lock_timeout{0};
  /// false: keep this function out of the near cache (Options::near), e.g. when
  /// its values are huge or written far more often than read.
  bool near = true;
  /// Measure hit, miss and fill latency into histograms (write_metrics) and
  /// Event::duration. Costs two clock reads per call; off: nothing measured.
  bool latency_histogram = false;
};

}  // namespace redis_cache
