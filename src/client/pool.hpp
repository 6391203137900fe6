// A thread-safe pool of connections to one server.
//
// A borrowed connection is used by one thread only; it goes back to the pool
// when the Lease is destroyed. When all are in use, acquire() waits up to
// pool_wait_timeout and then throws PoolTimeout.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "client/connection.hpp"

namespace redis_cache::detail {

class Pool;

/// How busy a pool is (metrics): read without the pool's lock, so the numbers
/// are each exact but may be from slightly different moments.
struct PoolGauges {
  std::size_t size = 0;     ///< most connections it may open (pool_size)
  std::size_t open = 0;     ///< connections created so far (lazily, up to size)
  std::size_t in_use = 0;   ///< connections lent out now
  std::size_t waiters = 0;  ///< callers waiting for a free connection now

  PoolGauges& operator+=(const PoolGauges& o) noexcept {
    size += o.size;
    open += o.open;
    in_use += o.in_use;
    waiters += o.waiters;
    return *this;
  }
};

class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Connection> conn) noexcept
      : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection* operator->() const noexcept { return conn_.get(); }
  Connection& operator*() const noexcept { return *conn_; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

class Pool {
 public:
  explicit Pool(ConnectionConfig cfg);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Borrows a connection (created lazily up to pool_size). Throws PoolTimeout.
  Lease acquire();
  const ConnectionConfig& config() const noexcept { return cfg_; }
  /// Size, open, lent and waiters, without taking the pool's lock.
  PoolGauges gauges() const noexcept;

 private:
  friend class Lease;
  void release(std::unique_ptr<Connection> conn) noexcept;
  /// Waits (under lock) until a connection is idle or may be created; PoolTimeout.
  [[gnu::cold]] [[gnu::noinline]] void wait_ready(std::unique_lock<std::mutex>& lock);

  ConnectionConfig cfg_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t created_ = 0;
  // Mirrors of created_ and idle_.size(), and the waiters, for gauges(): written
  // under mu_ (relaxed stores, no extra atomic read-modify-write per lease).
  std::atomic<std::size_t> open_{0}, idle_n_{0}, waiters_{0};
};

}  // namespace redis_cache::detail
