// Stampede protection: single flight within a process, and the optional
// cross-process lock (CacheOptions::lock_timeout).
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

/// In-flight computations of one cached function. The first caller to miss a
/// key leads (computes); later callers of the same key wait for its result or
/// exception. A flight lives on its leader's stack and is linked into a list
/// under one mutex: the uncontended miss allocates nothing, and the leader's
/// result is copied only by the callers that wait for it (each copies it from
/// the leader's frame; the leader returns once they all have).
class Flights {
 public:
  class Flight {
   public:
    Flight() = default;
    Flight(const Flight&) = delete;
    Flight& operator=(const Flight&) = delete;

   private:
    friend class Flights;
    std::string_view key_;
    std::thread::id leader_;
    Flight* prev_ = nullptr;
    Flight* next_ = nullptr;
    std::condition_variable cv_;  // done_ for waiters, waiters_ == 0 for the leader
    int waiters_ = 0;
    bool done_ = false;
    const void* value_ = nullptr;  // the leader's result (an R), while waiters_ > 0
    std::exception_ptr error_;
  };

  /// Joins the flight for key: returns nullptr when the caller leads (`mine`,
  /// which must outlive the flight, is now in flight for key; end it with
  /// finish() or fail()), else the leader's flight, to wait<R>() for.
  /// `key` must stay valid until the flight ends. Throws RecursionError when
  /// the leader of key is this very thread (the function called itself with the
  /// same arguments): it would wait for its own result forever.
  Flight* join(Flight& mine, std::string_view key) {
    const auto me = std::this_thread::get_id();
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

  /// A waiter: the leader's result (a copy) or its exception, rethrown.
  template <class R>
  R wait(Flight& f) {
    std::unique_lock lock(mu_);
    f.cv_.wait(lock, [&] { return f.done_; });
    struct Leave {  // the last waiter out lets the leader return
      Flights& fl;
      Flight& f;
      ~Leave() {
        std::lock_guard relock(fl.mu_);
        if (--f.waiters_ == 0) f.cv_.notify_all();  // under the lock: f is alive
      }
    };
    if (f.error_) {
      std::exception_ptr error = f.error_;
      --f.waiters_;
      if (f.waiters_ == 0) f.cv_.notify_all();
      lock.unlock();
      std::rethrow_exception(error);
    }
    lock.unlock();
    Leave leave{*this, f};
    return R(*static_cast<const R*>(f.value_));  // outside the lock; the leader waits
  }

  /// The leader succeeded with `value`: later callers start afresh (reading
  /// Redis first); waiting callers copy `value` before this returns.
  template <class R>
  void finish(Flight& mine, const R& value) {
    std::unique_lock lock(mu_);
    unlink(mine);
    if (mine.waiters_ == 0) return;
    mine.value_ = &value;
    release(mine, lock);
  }

  /// The leader failed: call inside its catch block; waiting callers get the
  /// exception being handled.
  void fail(Flight& mine) {
    std::unique_lock lock(mu_);
    unlink(mine);
    if (mine.waiters_ == 0) return;
    mine.error_ = std::current_exception();
    release(mine, lock);
  }

 private:
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
    f.cv_.notify_all();
    f.cv_.wait(lock, [&] { return f.waiters_ == 0; });
  }

  std::mutex mu_;
  Flight* head_ = nullptr;
};

/// A random token identifying one lock holder (32 hex digits).
std::string lock_token();
/// Sleeps for about `step` (jittered between 50% and 150%) and returns the next step
/// (doubled, at most 100 ms).
std::chrono::milliseconds backoff_sleep(std::chrono::milliseconds step);

}  // namespace redis_cache::detail
