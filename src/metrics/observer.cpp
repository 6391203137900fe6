// Observer: the event hook and latency histograms of one cached function
// (observer.hpp), and detail::observe, which core.hpp's call path reaches only
// when FunctionState::observer is set.
#include "metrics/observer.hpp"

#include <algorithm>
#include <chrono>

#include <redis_cache/detail/core.hpp>

namespace redis_cache {

std::string_view to_string(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::hit:
      return "hit";
    case EventKind::near_hit:
      return "near_hit";
    case EventKind::miss:
      return "miss";
    case EventKind::fill:
      return "fill";
    case EventKind::error:
      return "error";
    case EventKind::fallback:
      return "fallback";
  }
  return "unknown";
}

namespace detail {

namespace {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// The histogram (index into kLatencyFamilies) that times events of a kind, or -1.
constexpr int latency_index(EventKind kind) noexcept {
  for (std::size_t i = 0; i < kLatencyKinds; ++i)
    if (kLatencyFamilies[i].kind == kind) return static_cast<int>(i);
  return -1;
}

void record(Histogram& h, std::span<const Bucket> buckets, std::int64_t ns) noexcept {
  const auto it = std::lower_bound(buckets.begin(), buckets.end(), ns,
                                   [](const Bucket& b, std::int64_t v) { return b.ns < v; });
  const auto i = static_cast<std::size_t>(it - buckets.begin());  // == size(): +Inf
  h.counts[i].fetch_add(1, std::memory_order_relaxed);
  h.sum_ns.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

}  // namespace

std::shared_ptr<Observer> make_observer(const EventHandler& on_event, bool latency_histogram) {
  if (!on_event && !latency_histogram) return nullptr;
  auto o = std::make_shared<Observer>();
  o->on_event = on_event;
  o->timed = latency_histogram;
  return o;
}

CallStart observe_start(const FunctionState& fn) noexcept {
  return fn.observer->timed ? CallStart{now_ns()} : CallStart{};
}

void observe(const FunctionState& fn, EventKind kind, CallStart start) noexcept {
  Observer& o = *fn.observer;
  std::int64_t ns = 0;
  if (o.timed && start.ns != 0) {
    ns = std::max<std::int64_t>(now_ns() - start.ns, 0);
    if (const int i = latency_index(kind); i >= 0)
      record(o.histograms[static_cast<std::size_t>(i)], kLatencyFamilies[i].buckets, ns);
  }
  if (!o.on_event) return;
  try {
    o.on_event(Event{fn.ns, kind, std::chrono::nanoseconds(ns)});
  } catch (...) {  // a metrics hook never changes a call's outcome
  }
}

}  // namespace detail

}  // namespace redis_cache
