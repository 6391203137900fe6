// RedisCache: the handle users hold, and the FunctionState of each function it
// caches (options checked and key prefixes built once, when the function is made).
#include <redis_cache/cache.hpp>
#include <redis_cache/codec/python.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>

#include "cache_core.hpp"
#include "key_layout.hpp"
#include "metrics/observer.hpp"
#include "metrics/tracking.hpp"

namespace redis_cache {

namespace detail {

std::string default_namespace(std::string_view qualified_name, const std::source_location& loc) {
  std::string ns(qualified_name);
  if (ns.find("(anonymous)") != std::string::npos) {
    std::string_view file = loc.file_name();
    auto slash = file.find_last_of("/\\");
    if (slash != std::string_view::npos) file = file.substr(slash + 1);
    ns = std::string(file) + ":" + ns;
  }
  return ns;
}

namespace {

/// The parameter list of a function pointer type: "(int, double)" of "long (*)(int, double)".
std::string_view parameters(std::string_view fn_type) {
  const auto open = fn_type.rfind(")(");
  const auto close = fn_type.rfind(')');
  if (open == std::string_view::npos || close <= open) return fn_type;
  return fn_type.substr(open + 1, close - open);
}

}  // namespace

void claim_default_namespace(const std::string& ns, std::string_view fn_type) {
  struct Claims {
    std::mutex mu;
    std::map<std::string, std::string, std::less<>> by_ns;  // default namespace -> type
  };
  static Claims* claims = new Claims;  // never destroyed: static destructors may cache too
  std::lock_guard lock(claims->mu);
  const auto [it, fresh] = claims->by_ns.try_emplace(ns, fn_type);
  if (fresh || it->second == fn_type) return;
  throw ConfigError(
      "redis_cache: two functions named " + ns + " (overloads: " + it->second + " and " +
      std::string(fn_type) + ") would share the default namespace '" + ns +
      "', with one FIFO index and one invalidate_all for both. Give each its own namespace "
      "with CacheOptions::ns, e.g. {.ns = \"" +
      ns + std::string(parameters(fn_type)) +
      "\"} (REDIS_CACHED_AS_WITH(name, fnptr, .ns = ...) for the macro form); the same .ns "
      "on both shares one namespace on purpose");
}

}  // namespace detail

RedisCache::RedisCache(Options options)
    : core_(std::make_shared<detail::CacheCore>(std::move(options))) {
  detail::track_core(core_);
}

const Options& RedisCache::options() const noexcept {
  return core_->options();
}

NearStats RedisCache::near_stats() const noexcept {
  return core_->near_stats();
}

std::shared_ptr<detail::FunctionState> RedisCache::make_state_impl(
    std::string name, std::string ns, CacheOptions opts, std::string_view schema,
    std::string schema_note, detail::SignatureCodecInfo info) const {
  detail::keys::check_prefix(core_->options().prefix);
  detail::keys::check_namespace(ns);
  const Options& o = core_->options();
  auto st = std::make_shared<detail::FunctionState>();
  st->core = core_;
  st->name = std::move(name);
  st->ns = std::move(ns);
  st->ns_prefix = detail::keys::ns_prefix(o.prefix, st->ns, o.support_cluster);
  st->codec = o.codec;
  st->compress_above = o.compress_above;
  st->schema = detail::keys::schema_segment(o.codec, schema);
  if (o.codec != Codec::msgpack && !info.json_blocker.empty())
    throw ConfigError("redis_cache: " + st->name +
                      " cannot use Codec::" + (o.codec == Codec::json ? "json" : "python") +
                      ": JSON cannot carry type " + std::string(info.json_blocker) +
                      " (a map needs string or integer keys); use Codec::msgpack");
  if (o.codec == Codec::python) {
    if (o.compress_above != 0)
      throw ConfigError(
          "redis_cache: Codec::python cannot be combined with compress_above (Python could not "
          "read the values); set compress_above = 0 for " +
          st->ns);
    if (opts.ns.empty())
      throw ConfigError("redis_cache: Codec::python needs CacheOptions::ns for " + st->name +
                        ": the namespace the Python service uses (python-redis-cache's default "
                        "is module.qualname, e.g. \"app.users.load_user\")");
    if (opts.arg_names.size() != info.arity)
      throw ConfigError("redis_cache: Codec::python needs CacheOptions::arg_names with the " +
                        std::to_string(info.arity) + " Python parameter name(s) of " + st->ns +
                        ", got " + std::to_string(opts.arg_names.size()));
    for (std::size_t i = 0; i < opts.arg_names.size(); ++i) {
      if (opts.arg_names[i].empty())
        throw ConfigError("redis_cache: empty name in CacheOptions::arg_names of " + st->ns);
      for (std::size_t j = 0; j < i; ++j)
        if (opts.arg_names[i] == opts.arg_names[j])
          throw ConfigError("redis_cache: duplicate name \"" + opts.arg_names[i] +
                            "\" in CacheOptions::arg_names of " + st->ns);
    }
    st->arg_names = std::move(opts.arg_names);
    st->arg_order = codec::python_arg_order(st->arg_names);
  }
  st->key_prefix = detail::keys::value_prefix(st->ns_prefix, st->schema);
  st->index_key = detail::keys::index_key(st->ns_prefix);
  st->note_key = detail::keys::note_key(st->ns_prefix);
  if (o.codec != Codec::python) st->schema_note = std::move(schema_note);  // Python keys only
  if (opts.ttl.count() < 0)
    throw ConfigError("redis_cache: negative ttl for " + st->ns + " (0 means no expiry)");
  st->ttl = opts.ttl;
  st->limit = opts.limit;
  st->active = o.active;
  st->single_flight = opts.single_flight;
  if (opts.lock_timeout.count() < 0)
    throw ConfigError("redis_cache: negative lock_timeout for " + st->ns + " (0 means no lock)");
  st->lock_timeout = opts.lock_timeout;
  st->handler = opts.exception_handler ? std::move(opts.exception_handler) : o.exception_handler;
  if (opts.near) st->near = core_->near();
  st->observer = detail::make_observer(o.on_event, opts.latency_histogram);
  detail::track_function(st);
  return st;
}

}  // namespace redis_cache
