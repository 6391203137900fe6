// redis_cache/registry.hpp — the program's REDIS_CACHED functions and the
// default cache they use.
//
//   REDIS_CACHED(load_user, 300, 1000)     // defines load_user_cached
//   rc::set_default_cache(cache);          // or set REDIS_URL in the environment
//   for (auto& e : rc::registry()) std::cout << e.name << " " << e.ns << "\n";
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <redis_cache/detail/chrono.hpp>

namespace redis_cache {

class RedisCache;

/// One REDIS_CACHED function, as listed by registry().
struct RegistryEntry {
  std::string name;      ///< the defined object ("load_user_cached")
  std::string function;  ///< the C++ function ("app::load_user")
  std::string ns;        ///< namespace of its keys
  std::chrono::seconds ttl{0};
  std::size_t limit = 0;
  /// "{rc:app::load_user}:<schema>:" under the current default cache's prefix
  std::string key_prefix;
};

/// Every REDIS_CACHED function of the program (in registration order).
std::vector<RegistryEntry> registry();

/// Makes `cache` the one REDIS_CACHED functions use, keeping a copy of it (so the
/// default cache never dangles): each thread rebinds at its next call and drops its
/// binding to the earlier default (calls in flight finish on it; see LazyCachedFunction).
void set_default_cache(const RedisCache& cache);
/// Drops the default cache (its connections close once nothing else uses them);
/// REDIS_CACHED functions then use one built from REDIS_URL.
void reset_default_cache() noexcept;
/// The default cache (a copy of the handle): the one set, else one built from
/// REDIS_URL at first use. Throws ConfigError when neither exists.
RedisCache default_cache();

namespace detail {
struct RegistryHooks {
  std::string name, function, ns;
  std::chrono::seconds ttl{0};
  std::size_t limit = 0;
  std::string schema;
};
void register_cached(RegistryHooks entry);
/// Changes whenever the default cache changes (bound functions compare it).
unsigned default_generation() noexcept;
}  // namespace detail

}  // namespace redis_cache
