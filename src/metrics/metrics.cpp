// rc::write_metrics: the cached functions' counters, the pools' gauges and the
// latency histograms as Prometheus text exposition (metrics.hpp, README "Metrics").
//
// Three tables drive it; a new counter, gauge or histogram is one row:
//   kCounters         one counter family per Stats field, per {namespace, prefix}
//   kGauges           one gauge family per cache-wide number, per {prefix}
//   kLatencyFamilies  (observer.hpp) one histogram family per timed event kind
// Series with equal labels are added up: two caches with one prefix, or two
// functions of one namespace, are one series.
#include <redis_cache/cache.hpp>
#include <redis_cache/metrics.hpp>

#include <boost/pfr/core.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "access.hpp"
#include "cache_core.hpp"
#include "metrics/exposition.hpp"
#include "metrics/observer.hpp"
#include "metrics/tracking.hpp"

namespace redis_cache {

namespace {

using detail::CacheCore;
using detail::FunctionState;

/// A counter family: redis_cache_<stat>_total, from one Stats field.
struct CounterFamily {
  std::string_view stat;
  std::string_view help;
  std::uint64_t Stats::*field;
};
constexpr CounterFamily kCounters[] = {
    {"hits", "Calls answered from the cache (Redis or the near cache).", &Stats::hits},
    {"misses", "Calls that ran the function (value absent or undecodable).", &Stats::misses},
    {"fills", "Computed values stored in Redis.", &Stats::fills},
    {"errors", "Redis failures (read or write), whether or not the handler fell back.",
     &Stats::errors},
    {"decode_failures", "Values in Redis that could not be decoded (also counted as misses).",
     &Stats::decode_failures},
    {"coalesced", "Misses served by another caller's computation (single flight or lock).",
     &Stats::coalesced},
    {"lock_waits", "Misses that waited for another process's stampede lock.", &Stats::lock_waits},
    {"degraded_stores",
     "Stores of a limited function that a cluster slot migration made skip eviction.",
     &Stats::degraded_stores},
    {"circuit_open",
     "Calls that skipped Redis because its circuit breaker was open (also counted in errors).",
     &Stats::circuit_open},
    {"fallbacks", "Redis failures after which the exception handler let the call go on.",
     &Stats::fallbacks},
    {"near_hits", "Hits served from the near cache (also counted in hits).", &Stats::near_hits},
    {"near_fills", "Values kept in the near cache after a Redis hit.", &Stats::near_fills},
    {"near_evictions", "Near entries dropped for the memory budget or local expiry.",
     &Stats::near_evictions},
    {"near_invalidations", "Near entries removed by a Redis invalidation.",
     &Stats::near_invalidations},
    {"near_flushes", "Whole-near-cache flushes that removed entries of this function.",
     &Stats::near_flushes},
};
static_assert(std::size(kCounters) == boost::pfr::tuple_size_v<Stats>,
              "redis_cache: every Stats field needs its row in kCounters (metrics.cpp)");

/// A gauge family: redis_cache_<name>, one number per cache, added up per prefix.
struct GaugeFamily {
  std::string_view name;
  std::string_view help;
  std::uint64_t (*read)(CacheCore& core);
};
constexpr GaugeFamily kGauges[] = {
    {"pool_size", "Connections the pool may open (pool_size; a cluster: summed over nodes).",
     [](CacheCore& c) -> std::uint64_t { return c.client().pool_gauges().size; }},
    {"pool_open", "Connections the pool has opened.",
     [](CacheCore& c) -> std::uint64_t { return c.client().pool_gauges().open; }},
    {"pool_in_use", "Connections lent to calls now.",
     [](CacheCore& c) -> std::uint64_t { return c.client().pool_gauges().in_use; }},
    {"pool_waiters", "Calls waiting for a free connection now.",
     [](CacheCore& c) -> std::uint64_t { return c.client().pool_gauges().waiters; }},
    {"circuits_open",
     "Servers whose circuit breaker is open now, so calls skip them (0 or 1; a cluster: "
     "summed over nodes).",
     [](CacheCore& c) -> std::uint64_t { return c.client().pool_gauges().circuits_open; }},
    {"near_entries", "Values (and fills in flight) held by the near cache.",
     [](CacheCore& c) -> std::uint64_t { return c.near_stats().entries; }},
    {"near_bytes", "Accounted heap cost of the near cache (keys, values, overhead).",
     [](CacheCore& c) -> std::uint64_t { return c.near_stats().bytes; }},
    {"near_max_bytes", "The near cache's budget (Options::near.max_bytes; 0 = off).",
     [](CacheCore& c) -> std::uint64_t { return c.near_stats().max_bytes; }},
    {"near_listening", "1 when the near cache's invalidation listener is subscribed.",
     [](CacheCore& c) -> std::uint64_t { return c.near_stats().listening ? 1 : 0; }},
};

struct HistogramSum {
  std::array<std::uint64_t, detail::kMaxBuckets + 1> counts{};
  std::uint64_t sum_ns = 0;
};

/// Everything exported for one {namespace, prefix}.
struct Series {
  Stats stats;
  bool timed = false;  ///< some function of it has latency histograms
  std::array<HistogramSum, detail::kLatencyKinds> latency{};

  void add(const FunctionState& fn) {
    const Stats s = fn.stats.snapshot();
    for (const auto& c : kCounters) stats.*c.field += s.*c.field;
    if (!fn.observer || !fn.observer->timed) return;
    timed = true;
    for (std::size_t k = 0; k < detail::kLatencyKinds; ++k) {
      const detail::Histogram& h = fn.observer->histograms[k];
      for (std::size_t b = 0; b < h.counts.size(); ++b)
        latency[k].counts[b] += h.counts[b].load(std::memory_order_relaxed);
      latency[k].sum_ns += h.sum_ns.load(std::memory_order_relaxed);
    }
  }
};

std::string function_labels(const FunctionState& fn) {
  std::string labels;
  detail::exposition::add_label(labels, "namespace", fn.ns);
  detail::exposition::add_label(labels, "prefix", fn.core->options().prefix);
  return labels;
}

std::string name_of(std::string_view stem, std::string_view suffix = {}) {
  std::string n = "redis_cache_";
  n += stem;
  n += suffix;
  return n;
}

void write_histogram(std::string& out, const detail::LatencyFamily& family,
                     const std::string& labels, const HistogramSum& h) {
  const std::string bucket = name_of(family.name, "_bucket");
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < family.buckets.size(); ++b) {
    cumulative += h.counts[b];
    std::string l = labels;
    detail::exposition::add_label(l, "le", family.buckets[b].le);
    detail::exposition::sample(out, bucket, l, cumulative);
  }
  for (std::size_t b = family.buckets.size(); b < h.counts.size(); ++b) cumulative += h.counts[b];
  std::string l = labels;
  detail::exposition::add_label(l, "le", "+Inf");
  detail::exposition::sample(out, bucket, l, cumulative);
  detail::exposition::sample(out, name_of(family.name, "_sum"), labels,
                             static_cast<double>(h.sum_ns) / 1e9);
  detail::exposition::sample(out, name_of(family.name, "_count"), labels, cumulative);
}

/// Writes the metrics of the functions and cores given (all, or one cache's).
void write(std::string& out, const std::vector<std::shared_ptr<const FunctionState>>& fns,
           const std::vector<std::shared_ptr<CacheCore>>& cores) {
  std::map<std::string, Series> series;  // by their label list, so the output is sorted
  for (const auto& fn : fns) series[function_labels(*fn)].add(*fn);
  if (!series.empty()) {
    for (const auto& c : kCounters) {
      const std::string name = name_of(c.stat, "_total");
      detail::exposition::family(out, name, "counter", c.help);
      for (const auto& [labels, s] : series)
        detail::exposition::sample(out, name, labels, s.stats.*c.field);
    }
  }
  for (std::size_t k = 0; k < detail::kLatencyKinds; ++k) {
    bool header = false;
    for (const auto& [labels, s] : series) {
      if (!s.timed) continue;
      const auto& family = detail::kLatencyFamilies[k];
      if (!std::exchange(header, true))
        detail::exposition::family(out, name_of(family.name), "histogram", family.help);
      write_histogram(out, family, labels, s.latency[k]);
    }
  }
  if (cores.empty()) return;
  std::map<std::string, std::vector<CacheCore*>> by_prefix;
  for (const auto& core : cores) {
    std::string labels;
    detail::exposition::add_label(labels, "prefix", core->options().prefix);
    by_prefix[labels].push_back(core.get());
  }
  for (const auto& g : kGauges) {
    const std::string name = name_of(g.name);
    detail::exposition::family(out, name, "gauge", g.help);
    for (const auto& [labels, group] : by_prefix) {
      std::uint64_t sum = 0;
      for (CacheCore* core : group) sum += g.read(*core);
      detail::exposition::sample(out, name, labels, sum);
    }
  }
}

}  // namespace

void write_metrics(std::string& out) {
  write(out, detail::alive_functions(), detail::alive_cores());
}

void write_metrics(std::string& out, const RedisCache& cache) {
  const std::shared_ptr<CacheCore>& core = detail::Access::core(cache);
  std::vector<std::shared_ptr<const FunctionState>> fns = detail::alive_functions();
  std::erase_if(fns, [&](const auto& fn) { return fn->core != core; });
  write(out, fns, {core});
}

}  // namespace redis_cache
