// Stampede protection: single flight within a process, and the optional
// cross-process lock (CacheOptions::lock_timeout).
#pragma once

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace redis_cache::detail {

/// In-flight computations of one cached function, by key. The first caller to
/// miss a key leads (computes); later callers of the same key wait for its
/// result or exception.
template <class R>
class Flights {
 public:
  struct Flight {
    std::promise<R> promise;
    std::shared_future<R> future = promise.get_future().share();
  };

  /// The flight for key, and whether the caller leads it.
  std::pair<std::shared_ptr<Flight>, bool> join(std::string_view key) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = map_.try_emplace(std::string(key));
    if (inserted) it->second = std::make_shared<Flight>();
    return {it->second, inserted};
  }
  /// The leader is done: later callers start afresh (reading Redis first).
  void finish(std::string_view key) {
    std::lock_guard lock(mu_);
    map_.erase(std::string(key));
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> map_;
};

/// A random token identifying one lock holder (32 hex digits).
std::string lock_token();
/// Sleeps for about `step` (jittered between 50% and 150%) and returns the next step
/// (doubled, at most 100 ms).
std::chrono::milliseconds backoff_sleep(std::chrono::milliseconds step);

}  // namespace redis_cache::detail
