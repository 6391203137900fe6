// redis_cache — cache the results of C++ functions in Redis.
//
// This umbrella header brings the whole public API:
//
//   #include <redis_cache/redis_cache.hpp>
//   namespace rc = redis_cache;
//
//   User load_user(int id);
//   REDIS_CACHED(load_user, 300, 1000)  // load_user_cached: ttl 300 s, at most 1000 entries
//
//   rc::RedisCache cache{{.url = "redis://127.0.0.1:6379/0"}};
//   rc::set_default_cache(cache);
//   User u = load_user_cached(7);       // miss: calls load_user(7) and stores the result
//   u = load_user_cached(7);            // hit: one GET, decoded
//
// Keys and values are built at compile time from the function's signature
// (Boost.PFR aggregates, Boost.Describe types, standard containers) and
// encoded with msgpack (or JSON: Codec::json, Codec::python). See README.md.
#pragma once

#include <redis_cache/cache.hpp>
#include <redis_cache/cached_function.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/errors.hpp>
#include <redis_cache/events.hpp>
#include <redis_cache/macros.hpp>
#include <redis_cache/metrics.hpp>
#include <redis_cache/options.hpp>
#include <redis_cache/registry.hpp>
#include <redis_cache/stats.hpp>
