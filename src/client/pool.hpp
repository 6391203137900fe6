// A thread-safe pool of connections to one server, with its circuit breaker.
//
// A borrowed connection is used by one thread only; it goes back to the pool
// when the Lease is destroyed. When all are in use, acquire() waits up to
// pool_wait_timeout and then throws PoolTimeout.
//
// Circuit breaker (CircuitBreakerOptions): a lease whose connection failed
// (I/O error or timeout) counts as a failure, one that is still connected as
// a success. After `failures` failures in a row the breaker opens: acquire()
// throws CircuitOpenError at once, without I/O, for `cool_down`. Then one
// lease is the probe (the others still fail at once until it comes back): its
// success closes the breaker, its failure opens it again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/connection.hpp"

namespace redis_cache::detail {

class Pool;

/// How busy a pool is (metrics): read without the pool's lock, so the numbers
/// are each exact but may be from slightly different moments.
struct PoolGauges {
  std::size_t size = 0;           ///< most connections it may open (pool_size)
  std::size_t open = 0;           ///< connections created so far (lazily, up to size)
  std::size_t in_use = 0;         ///< connections lent out now
  std::size_t waiters = 0;        ///< callers waiting for a free connection now
  std::size_t circuits_open = 0;  ///< pools whose circuit breaker is open (0 or 1 for one)

  PoolGauges& operator+=(const PoolGauges& o) noexcept {
    size += o.size;
    open += o.open;
    in_use += o.in_use;
    waiters += o.waiters;
    circuits_open += o.circuits_open;
    return *this;
  }
};

class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<Connection> conn, bool probe) noexcept
      : pool_(pool), conn_(std::move(conn)), failures_(conn_->io_failures()), probe_(probe) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection* operator->() const noexcept { return conn_.get(); }
  Connection& operator*() const noexcept { return *conn_; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
  std::uint64_t failures_;  // conn_->io_failures() when borrowed
  bool probe_;              // this lease decides whether the breaker closes
};

class Pool {
 public:
  explicit Pool(ConnectionConfig cfg);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Borrows a connection (created lazily up to pool_size). Throws PoolTimeout,
  /// or CircuitOpenError while the breaker is open.
  Lease acquire();
  const ConnectionConfig& config() const noexcept { return cfg_; }
  /// Size, open, lent and waiters, without taking the pool's lock.
  PoolGauges gauges() const noexcept;
  /// Whether calls currently skip this server (the breaker is open or probing).
  bool circuit_open() const;

 private:
  friend class Lease;
  using Clock = std::chrono::steady_clock;
  /// Throws CircuitOpenError unless the breaker is closed or this caller becomes
  /// the probe (returned true). Called with mu_ held.
  bool check_breaker(Clock::time_point now);
  void release(std::unique_ptr<Connection> conn, bool failed, bool probe) noexcept;
  /// Waits (under lock) until a connection is idle or may be created; PoolTimeout.
  [[gnu::cold]] [[gnu::noinline]] void wait_ready(std::unique_lock<std::mutex>& lock);

  ConnectionConfig cfg_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t created_ = 0;
  // Breaker state, under mu_.
  std::size_t failures_in_a_row_ = 0;
  bool open_ = false;
  bool probing_ = false;
  Clock::time_point open_until_{};
  // Mirrors of created_ and idle_.size(), and the waiters, for gauges(): written
  // under mu_ (relaxed stores, no extra atomic read-modify-write per lease).
  std::atomic<std::size_t> opened_n_{0}, idle_n_{0}, waiters_{0};
  std::atomic<bool> open_n_{false};  // mirror of open_
};

}  // namespace redis_cache::detail
