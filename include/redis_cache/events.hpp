// redis_cache/events.hpp — the event hook (Options::on_event) for users who
// feed their own metrics or tracing library.
//
//   rc::RedisCache cache{{.url = url, .on_event = [](const rc::Event& e) {
//     my_counter(e.ns, rc::to_string(e.kind)).inc();
//   }}};
//
// Unset (the default), nothing is called and nothing is measured: a call costs
// what it costs without the hook.
#pragma once

#include <functional>
#include <string_view>

#include <redis_cache/detail/chrono.hpp>

namespace redis_cache {

/// What happened in a cached call.
enum class EventKind : unsigned char {
  hit,       ///< the value came from Redis (decoded)
  near_hit,  ///< the value came from the in-process near cache
  miss,      ///< the function was called (absent or undecodable value); sent when it returned
  fill,      ///< a computed value was stored in Redis
  error,     ///< Redis failed (before the exception handler runs)
  fallback,  ///< the exception handler returned: the call goes on without Redis
};

/// "hit", "near_hit", "miss", "fill", "error", "fallback".
std::string_view to_string(EventKind kind) noexcept;

/// One event of a cached function.
struct Event {
  std::string_view ns;  ///< the function's namespace (valid during the call only)
  EventKind kind = EventKind::hit;
  /// With CacheOptions::latency_histogram on: a hit's or miss's time since the
  /// call began (a miss includes the function's own time and the fill), a fill's
  /// time to encode and store. Otherwise, and for calls of a batch (mget), 0.
  std::chrono::nanoseconds duration{0};
};

/// Called on the calling thread, synchronously: keep it short. An exception it
/// throws is swallowed (a metrics hook never changes a call's outcome).
using EventHandler = std::function<void(const Event& event)>;

}  // namespace redis_cache
