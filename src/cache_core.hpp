// CacheCore: the connection of one RedisCache (its options and its client), shared
// by every copy of the RedisCache and every cached function made from it. Internal:
// the cached functions reach it through detail::io (include/redis_cache/detail/core.hpp);
// the redis-cache tool and the tests use it directly.
#pragma once

#include <redis_cache/detail/core.hpp>
#include <redis_cache/options.hpp>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "client/client.hpp"

namespace redis_cache::detail {

class CacheCore {
 public:
  explicit CacheCore(Options options);
  ~CacheCore();
  CacheCore(const CacheCore&) = delete;
  CacheCore& operator=(const CacheCore&) = delete;

  const Options& options() const noexcept { return options_; }
  Client& client() noexcept { return *client_; }

  /// Calls fn(batch) for every key of the namespace whose prefix is ns_prefix
  /// (SCAN MATCH on the node of its slot, keys of longer namespaces left out),
  /// in batches.
  void scan_namespace(std::string_view ns_prefix,
                      const std::function<void(std::span<const std::string>)>& fn);
  /// Calls fn(batch, node) for every key matching the SCAN MATCH pattern on every
  /// node holding data (each master of a cluster, the one server otherwise), in
  /// batches; `node` is the connection to the node the batch's keys live on.
  void scan_all_nodes(std::string_view pattern,
                      const std::function<void(std::span<const std::string>, Connection&)>& fn);

 private:
  Options options_;
  std::unique_ptr<Client> client_;
};

namespace io {

/// What invalidate_all with progress reports: keys found so far by its scan, then
/// keys unlinked so far of all it found (after each batch).
struct RemovalProgress {
  std::function<void(std::size_t scanned)> scanned;
  std::function<void(std::size_t unlinked, std::size_t total)> unlinked;
};
/// invalidate_all (SCAN, then UNLINK in batches), telling `progress` how far it got
/// (the redis-cache tool's rm shows it).
Removed invalidate_all(const FunctionState& fn, const RemovalProgress& progress);

}  // namespace io

}  // namespace redis_cache::detail
