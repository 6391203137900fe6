// Synchronisation for tests, so that none depends on how fast the machine is:
// polling a condition against a generous deadline, a gate that the function
// under test passes through (the test sees who entered and decides when they
// leave), threads started together, and a check that a thread is blocked.
#pragma once

#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

namespace rc_test {

/// Checks pred every millisecond until it holds (true) or `timeout` has passed
/// (false). The deadline only bounds a test that went wrong; a healthy run
/// never comes near it, whatever the machine's speed.
template <class Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

/// A gate for the function under test: while closed, pass() waits. The test
/// closes it, starts its callers, waits until the callers are where it wants
/// them (entered(), the cache's stats), then opens it. Open at first.
class Gate {
 public:
  void close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  /// Counts the caller in, then waits while the gate is closed.
  void pass() {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.wait(lock, [&] { return open_; });
  }
  int entered() const {
    std::lock_guard lock(mu_);
    return entered_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int entered_ = 0;
};

/// n threads running f(0..n-1), started together; join() (or the destructor)
/// waits for them.
class Threads {
 public:
  Threads(int n, std::function<void(int)> f) : f_(std::move(f)), sync_(n) {
    for (int i = 0; i < n; ++i)
      threads_.emplace_back([this, i] {
        sync_.arrive_and_wait();
        f_(i);
      });
  }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;
  ~Threads() { join(); }
  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::function<void(int)> f_;
  std::barrier<> sync_;
  std::vector<std::thread> threads_;
};

/// Runs f(0..n-1) on n threads that start together, and waits for them.
inline void run_together(int n, std::function<void(int)> f) {
  Threads(n, std::move(f)).join();
}

/// The calling thread's kernel id (for thread_is_sleeping from another thread).
inline pid_t this_thread_id() {
  return ::gettid();
}

/// true when thread `tid` of this process sleeps in the kernel (state S: on a
/// condition variable, a mutex or a socket), read from /proc.
inline bool thread_is_sleeping(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');  // the name may hold spaces and parentheses
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'S';
}

}  // namespace rc_test
