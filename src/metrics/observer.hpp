// Observer: what a cached function reports its events to when Options::on_event
// or CacheOptions::latency_histogram is on (FunctionState::observer; null when
// neither is, and then nothing is observed).
//
// The latency histograms have fixed buckets: from 50 us to 5 s for what goes
// to Redis (hit, miss, fill), and from 100 ns for hits that never leave the
// process (the near cache's). Counts are relaxed atomics per bucket (not
// cumulative; the exposition adds them up), so recording takes no lock.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include <redis_cache/events.hpp>

namespace redis_cache::detail {

struct FunctionState;

/// One bucket's upper bound (inclusive): in ns, and as the exposition's le="...".
struct Bucket {
  std::int64_t ns;
  std::string_view le;
};

/// 50 us ... 5 s: calls that go to Redis.
inline constexpr Bucket kRedisBuckets[] = {
    {50'000, "5e-05"},     {100'000, "0.0001"},   {250'000, "0.00025"},   {500'000, "0.0005"},
    {1'000'000, "0.001"},  {2'500'000, "0.0025"}, {5'000'000, "0.005"},   {10'000'000, "0.01"},
    {25'000'000, "0.025"}, {50'000'000, "0.05"},  {100'000'000, "0.1"},   {250'000'000, "0.25"},
    {500'000'000, "0.5"},  {1'000'000'000, "1"},  {2'500'000'000, "2.5"}, {5'000'000'000, "5"},
};
/// 100 ns ... 5 s: hits served in the process (near cache), then as above.
inline constexpr Bucket kNearBuckets[] = {
    {100, "1e-07"},        {250, "2.5e-07"},      {500, "5e-07"},         {1'000, "1e-06"},
    {2'500, "2.5e-06"},    {5'000, "5e-06"},      {10'000, "1e-05"},      {25'000, "2.5e-05"},
    {50'000, "5e-05"},     {100'000, "0.0001"},   {250'000, "0.00025"},   {500'000, "0.0005"},
    {1'000'000, "0.001"},  {2'500'000, "0.0025"}, {5'000'000, "0.005"},   {10'000'000, "0.01"},
    {25'000'000, "0.025"}, {50'000'000, "0.05"},  {100'000'000, "0.1"},   {250'000'000, "0.25"},
    {500'000'000, "0.5"},  {1'000'000'000, "1"},  {2'500'000'000, "2.5"}, {5'000'000'000, "5"},
};
inline constexpr std::size_t kMaxBuckets = std::size(kNearBuckets);

/// One histogram family: which events it times, its name and its buckets.
struct LatencyFamily {
  EventKind kind;
  std::string_view name;  ///< redis_cache_<name>
  std::string_view help;
  std::span<const Bucket> buckets;
};
/// The histograms (one row each).
inline constexpr LatencyFamily kLatencyFamilies[] = {
    {EventKind::near_hit, "near_hit_seconds",
     "Latency of calls answered from the near cache (key, lookup, copy), in seconds.",
     kNearBuckets},
    {EventKind::hit, "hit_seconds",
     "Latency of calls answered from Redis (key, GET, decode), in seconds.", kRedisBuckets},
    {EventKind::miss, "miss_seconds",
     "Latency of calls that missed, including the function's own time and the fill, in "
     "seconds.",
     kRedisBuckets},
    {EventKind::fill, "fill_seconds",
     "Latency of storing a computed value in Redis (encode and store), in seconds.", kRedisBuckets},
};
inline constexpr std::size_t kLatencyKinds = std::size(kLatencyFamilies);

/// A histogram's counts: per bucket (the last one past every bound: +Inf) and
/// the sum of the observed durations.
struct Histogram {
  std::array<std::atomic<std::uint64_t>, kMaxBuckets + 1> counts{};
  std::atomic<std::uint64_t> sum_ns{0};
};

struct Observer {
  EventHandler on_event;                              ///< may be empty
  bool timed = false;                                 ///< CacheOptions::latency_histogram
  std::array<Histogram, kLatencyKinds> histograms{};  ///< as kLatencyFamilies (if timed)
};

/// The observer of a function made with these settings; null when neither is on.
std::shared_ptr<Observer> make_observer(const EventHandler& on_event, bool latency_histogram);

}  // namespace redis_cache::detail
