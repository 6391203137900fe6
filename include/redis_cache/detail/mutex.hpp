// redis_cache/detail/mutex.hpp — a std::mutex behind a small type, for the public headers'
// rare locks (REDIS_CACHED's rebinding): they need not parse <mutex> in every user's file.
#pragma once

namespace redis_cache::detail {

/// A std::mutex (src/mutex.cpp), not copyable or movable.
class Mutex {
 public:
  Mutex() noexcept;
  ~Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void lock();
  void unlock() noexcept;

 private:
  alignas(alignof(void*)) unsigned char storage_[64];
};

/// Holds a Mutex locked for its lifetime (std::lock_guard).
class MutexLock {
 public:
  explicit MutexLock(Mutex& m) : m_(m) { m_.lock(); }
  ~MutexLock() { m_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& m_;
};

}  // namespace redis_cache::detail
