// The cached functions and caches alive in the process, for write_metrics.
//
// Each is registered once, when it is made (never on a call), as a weak
// reference: tracking keeps nothing alive. A scrape locks them for as long as
// it writes; the list's mutex is held only to copy the references.
#pragma once

#include <memory>
#include <vector>

namespace redis_cache::detail {

struct FunctionState;
class CacheCore;

/// Registers a cached function just made (make_state_impl).
void track_function(const std::shared_ptr<FunctionState>& fn);
/// Registers a cache's core just made (RedisCache's constructor).
void track_core(const std::shared_ptr<CacheCore>& core);

/// Every cached function still alive, in the order they were made.
std::vector<std::shared_ptr<const FunctionState>> alive_functions();
/// Every cache core still alive, in the order they were made.
std::vector<std::shared_ptr<CacheCore>> alive_cores();

}  // namespace redis_cache::detail
