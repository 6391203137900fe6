// redis_cache/metrics.hpp — the process's cache metrics in the Prometheus text
// exposition format (version 0.0.4), for a /metrics endpoint.
//
//   std::string body;
//   rc::write_metrics(body);          // every cached function alive in the process
//   rc::write_metrics(body, cache);   // only the functions and pool of one cache
//   respond("text/plain; version=0.0.4; charset=utf-8", body);
//
// What is exported (README "Metrics"): for each cached function a counter
// redis_cache_<stat>_total per Stats field, labelled {namespace, prefix}; pool
// gauges per prefix; latency histograms of the functions that turned them on
// (CacheOptions::latency_histogram). Functions (and caches) with equal labels
// are added up into one series.
//
// Writing takes no lock that a cached call takes: the counters are relaxed
// atomics, read as they are (a scrape is not a consistent snapshot across them).
#pragma once

#include <string>

namespace redis_cache {

class RedisCache;

/// Appends the metrics of every cached function alive in the process (made with
/// REDIS_CACHED or cache.cache<...>()) and of every RedisCache's pool to out.
void write_metrics(std::string& out);

/// Appends the metrics of the cached functions made from `cache` (or a copy of
/// it) and of its pool to out.
void write_metrics(std::string& out, const RedisCache& cache);

}  // namespace redis_cache
