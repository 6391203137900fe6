// The registry of REDIS_CACHED functions and the default cache.
#include <redis_cache/cache.hpp>
#include <redis_cache/registry.hpp>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace redis_cache {

namespace {

struct Registry {
  std::mutex mu;
  std::vector<detail::RegistryHooks> entries;
  RedisCache* default_cache = nullptr;
  std::unique_ptr<RedisCache> from_env;  // built from REDIS_URL when none was set
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

void forget_default_cache(const RedisCache* cache) noexcept {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  if (r.default_cache == cache) {
    r.default_cache = nullptr;
    r.generation.fetch_add(1, std::memory_order_acq_rel);
  }
}

void default_cache_moved(const RedisCache* from, RedisCache* to) noexcept {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  if (r.default_cache == from) {
    r.default_cache = to;  // same core: bound functions stay valid
  } else if (r.default_cache == to) {
    r.generation.fetch_add(1, std::memory_order_acq_rel);  // its core was replaced
  }
}

}  // namespace detail

std::vector<RegistryEntry> registry() {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  Options opts;
  if (r.default_cache != nullptr) opts = r.default_cache->options();
  std::vector<RegistryEntry> out;
  out.reserve(r.entries.size());
  for (const auto& e : r.entries) {
    std::string prefix = detail::namespace_prefix(opts, e.ns);
    if (opts.codec != Codec::python) prefix += detail::codec_schema(opts.codec, e.schema) + ":";
    out.push_back({e.name, e.function, e.ns, e.ttl, e.limit, std::move(prefix)});
  }
  return out;
}

void set_default_cache(RedisCache& cache) {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  if (r.default_cache == &cache) return;  // bound functions stay bound (and keep their stats)
  r.default_cache = &cache;
  r.generation.fetch_add(1, std::memory_order_acq_rel);
}

RedisCache& default_cache() {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  if (r.default_cache != nullptr) return *r.default_cache;
  if (!r.from_env) {
    const char* url = std::getenv("REDIS_URL");
    if (url == nullptr || *url == '\0')
      throw ConfigError(
          "redis_cache: a REDIS_CACHED function was called before a default cache exists: "
          "call redis_cache::set_default_cache(cache) first, or set REDIS_URL "
          "(e.g. REDIS_URL=redis://127.0.0.1:6379/0)");
    r.from_env = std::make_unique<RedisCache>(Options{.url = url});
  }
  return *r.from_env;
}

}  // namespace redis_cache
