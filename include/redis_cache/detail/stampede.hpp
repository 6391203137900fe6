// Stampede protection: single flight within a process, and the optional
// cross-process lock (CacheOptions::lock_timeout). The waiting itself (a mutex
// and a condition variable per function) lives in src/stampede.cpp, so that a
// file caching a function does not parse <thread> and <condition_variable>.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <redis_cache/detail/chrono.hpp>

namespace redis_cache::detail {

class Flights;  // src/stampede.cpp: the in-flight computations of one cached function

/// One computation in flight: it lives on its leader's stack (the uncontended
/// miss allocates nothing) and is linked into its function's Flights.
class Flight {
 public:
  Flight() = default;
  Flight(const Flight&) = delete;
  Flight& operator=(const Flight&) = delete;

 private:
  friend class Flights;
  std::string_view key_;
  const void* leader_ = nullptr;  ///< identifies the leader's thread
  Flight* prev_ = nullptr;
  Flight* next_ = nullptr;
  int waiters_ = 0;
  bool done_ = false;
  const void* value_ = nullptr;  ///< the leader's result (an R), while waiters_ > 0
  std::exception_ptr error_;
};

/// The in-flight computations of a new cached function.
std::shared_ptr<Flights> make_flights();

/// Joins the flight for key: returns nullptr when the caller leads (`mine`,
/// which must outlive the flight, is now in flight for key; end it with
/// finish_flight() or fail_flight()), else the leader's flight, to wait_flight<R>()
/// for. `key` must stay valid until the flight ends. Throws RecursionError when the
/// leader of key is this very thread (the function called itself with the same
/// arguments): it would wait for its own result forever.
Flight* join_flight(Flights& flights, Flight& mine, std::string_view key);
/// The leader succeeded with *value: later callers start afresh (reading Redis
/// first); waiting callers copy *value before this returns.
void finish_flight(Flights& flights, Flight& mine, const void* value);
/// The leader failed: call inside its catch block; waiting callers get the
/// exception being handled.
void fail_flight(Flights& flights, Flight& mine);
/// A waiter: blocks until the leader is done, then returns its value (an R) or
/// rethrows its exception. After a value, call leave_flight once it is copied.
const void* await_flight(Flights& flights, Flight& leader);
void leave_flight(Flights& flights, Flight& leader) noexcept;

/// A waiter: the leader's result (a copy) or its exception, rethrown.
template <class R>
R wait_flight(Flights& flights, Flight& leader) {
  const void* value = await_flight(flights, leader);
  struct Leave {  // the last waiter out lets the leader return
    Flights& fl;
    Flight& f;
    ~Leave() { leave_flight(fl, f); }
  } leave{flights, leader};
  return R(*static_cast<const R*>(value));  // the leader waits until it is copied
}

/// A random token identifying one lock holder (32 hex digits).
std::string lock_token();
/// Sleeps for about `step` (jittered between 50% and 150%) and returns the next step
/// (doubled, at most 100 ms).
std::chrono::milliseconds backoff_sleep(std::chrono::milliseconds step);

}  // namespace redis_cache::detail
