// The registry of REDIS_CACHED functions and the default cache (a copy of the
// handle the user set, or one built from REDIS_URL).
#include <redis_cache/cache.hpp>
#include <redis_cache/registry.hpp>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>

#include "access.hpp"
#include "key_layout.hpp"

namespace redis_cache {

namespace {

struct Registry {
  std::mutex mu;
  std::vector<detail::RegistryHooks> entries;
  std::optional<RedisCache> default_cache;  ///< set, or built from REDIS_URL
  std::atomic<unsigned> generation{1};
};

Registry& reg() {
  static Registry* r = new Registry;  // never destroyed: used from static destructors too
  return *r;
}

}  // namespace

namespace detail {

void register_cached(RegistryHooks entry) {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  r.entries.push_back(std::move(entry));
}

unsigned default_generation() noexcept {
  return reg().generation.load(std::memory_order_acquire);
}

}  // namespace detail

std::vector<RegistryEntry> registry() {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  const Options opts = r.default_cache ? r.default_cache->options() : Options{};
  std::vector<RegistryEntry> out;
  out.reserve(r.entries.size());
  for (const auto& e : r.entries) {
    std::string prefix =
        detail::keys::value_prefix(detail::keys::ns_prefix(opts.prefix, e.ns, opts.support_cluster),
                                   detail::keys::schema_segment(opts.codec, e.schema));
    out.push_back({e.name, e.function, e.ns, e.ttl, e.limit, std::move(prefix)});
  }
  return out;
}

void set_default_cache(const RedisCache& cache) {
  auto& r = reg();
  std::optional<RedisCache> old;  // released after the lock: closing connections takes time
  std::lock_guard lock(r.mu);
  // The same cache (or a copy of it): bound functions stay bound and keep their stats.
  if (r.default_cache && detail::Access::core(*r.default_cache) == detail::Access::core(cache))
    return;
  old = std::move(r.default_cache);
  r.default_cache = cache;
  r.generation.fetch_add(1, std::memory_order_acq_rel);
}

void reset_default_cache() noexcept {
  auto& r = reg();
  std::optional<RedisCache> old;
  std::lock_guard lock(r.mu);
  if (!r.default_cache) return;
  old = std::move(r.default_cache);
  r.default_cache.reset();
  r.generation.fetch_add(1, std::memory_order_acq_rel);
}

RedisCache default_cache() {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  if (!r.default_cache) {
    const char* url = std::getenv("REDIS_URL");
    if (url == nullptr || *url == '\0')
      throw ConfigError(
          "redis_cache: a REDIS_CACHED function was called before a default cache exists: "
          "call redis_cache::set_default_cache(cache) first, or set REDIS_URL "
          "(e.g. REDIS_URL=redis://127.0.0.1:6379/0)");
    try {
      r.default_cache.emplace(Options{.url = url});
    } catch (const ConfigError& e) {
      throw ConfigError(std::string("redis_cache: the URL in the environment variable REDIS_URL "
                                    "(used as the default cache: no set_default_cache call "
                                    "came first) is not usable: ") +
                        e.what());
    }
  }
  return *r.default_cache;
}

}  // namespace redis_cache
