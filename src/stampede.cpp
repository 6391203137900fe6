// Single flight (Flights) and the cross-process lock's token and backoff (see
// include/redis_cache/detail/stampede.hpp).
#include <redis_cache/detail/stampede.hpp>
#include <redis_cache/errors.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

namespace redis_cache::detail {

/// The flights of one cached function, linked under one mutex. One condition
/// variable serves them all: waits are rare (concurrent misses of one key) and
/// each waiter rechecks its own flight.
class Flights {
 public:
  Flight* join(Flight& mine, std::string_view key) {
    const void* me = this_thread();
    std::lock_guard lock(mu_);
    for (Flight* f = head_; f != nullptr; f = f->next_) {
      if (f->key_ == key) {
        if (f->leader_ == me) {
          throw RecursionError(
              "redis_cache: a cached function called itself with the same arguments while "
              "computing them (key " +
              std::string(key) +
              "); without the cache this recursion would never end either, with it the call "
              "would wait for its own result forever");
        }
        ++f->waiters_;
        return f;
      }
    }
    mine.key_ = key;
    mine.leader_ = me;
    mine.next_ = head_;
    if (head_ != nullptr) head_->prev_ = &mine;
    head_ = &mine;
    return nullptr;
  }

  void finish(Flight& mine, const void* value) {
    std::unique_lock lock(mu_);
    unlink(mine);
    if (mine.waiters_ == 0) return;
    mine.value_ = value;
    release(mine, lock);
  }

  void fail(Flight& mine) {
    std::unique_lock lock(mu_);
    unlink(mine);
    if (mine.waiters_ == 0) return;
    mine.error_ = std::current_exception();
    release(mine, lock);
  }

  const void* await(Flight& f) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return f.done_; });
    if (f.error_) {
      std::exception_ptr error = f.error_;
      if (--f.waiters_ == 0) cv_.notify_all();
      lock.unlock();
      std::rethrow_exception(error);
    }
    return f.value_;
  }

  void leave(Flight& f) noexcept {
    std::lock_guard lock(mu_);
    if (--f.waiters_ == 0) cv_.notify_all();  // under the lock: f is alive
  }

 private:
  static const void* this_thread() noexcept {
    thread_local const char id = 0;
    return &id;
  }
  void unlink(Flight& f) noexcept {
    if (f.prev_ != nullptr) {
      f.prev_->next_ = f.next_;
    } else {
      head_ = f.next_;
    }
    if (f.next_ != nullptr) f.next_->prev_ = f.prev_;
  }
  void release(Flight& f, std::unique_lock<std::mutex>& lock) {
    f.done_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return f.waiters_ == 0; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  Flight* head_ = nullptr;
};

std::shared_ptr<Flights> make_flights() {
  return std::make_shared<Flights>();
}
Flight* join_flight(Flights& flights, Flight& mine, std::string_view key) {
  return flights.join(mine, key);
}
void finish_flight(Flights& flights, Flight& mine, const void* value) {
  flights.finish(mine, value);
}
void fail_flight(Flights& flights, Flight& mine) {
  flights.fail(mine);
}
const void* await_flight(Flights& flights, Flight& leader) {
  return flights.await(leader);
}
void leave_flight(Flights& flights, Flight& leader) noexcept {
  flights.leave(leader);
}

std::string lock_token() {
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::chrono::milliseconds backoff_sleep(std::chrono::milliseconds step) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<long long> jitter(step.count() * 500, step.count() * 1500);
  std::this_thread::sleep_for(std::chrono::microseconds(jitter(rng)));
  return std::min(step * 2, std::chrono::milliseconds(100));
}

}  // namespace redis_cache::detail
