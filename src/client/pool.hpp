// A thread-safe pool of connections to one server.
//
// A borrowed connection is used by one thread only; it goes back to the pool
// when the Lease is destroyed. When all are in use, acquire() waits up to
// pool_wait_timeout and then throws PoolTimeout.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "client/connection.hpp"

namespace redis_cache::detail {

class Pool;

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

 private:
  friend class Lease;
  void release(std::unique_ptr<Connection> conn) noexcept;

  ConnectionConfig cfg_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t created_ = 0;
};

}  // namespace redis_cache::detail
