// Thread-safe connection pool with a bounded wait (see pool.hpp).
#include "client/pool.hpp"

#include <chrono>
#include <string>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

Lease::~Lease() {
  if (conn_ == nullptr || pool_ == nullptr) return;
  // Failed: the connection saw an I/O error or timeout while lent (and dropped
  // its socket). Connected: the server answered, even if with an error reply.
  const bool failed = conn_->io_failures() != failures_ && !conn_->connected();
  pool_->release(std::move(conn_), failed, probe_);
}

Pool::Pool(ConnectionConfig cfg) : cfg_(std::move(cfg)) {
  if (cfg_.pool_size == 0) {
    throw ConfigError("redis_cache: pool_size is 0 for " + cfg_.endpoint() +
                      " (Options::pool_size or ?pool_size= must be at least 1)");
  }
  idle_.reserve(cfg_.pool_size);
}

void Pool::wait_ready(std::unique_lock<std::mutex>& lock) {
  const auto ready = [this] { return !idle_.empty() || created_ < cfg_.pool_size; };
  struct Waiting {  // counted while this caller waits (the lock is held on both ends)
    std::atomic<std::size_t>& n;
    explicit Waiting(std::atomic<std::size_t>& w) : n(w) {
      n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    ~Waiting() { n.store(n.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed); }
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;
  } waiting(waiters_);
  if (cfg_.pool_wait_timeout.count() <= 0) {
    cv_.wait(lock, ready);  // 0 = wait forever (set explicitly)
  } else if (!cv_.wait_for(lock, cfg_.pool_wait_timeout, ready)) {
    throw PoolTimeout("redis_cache: no free connection to " + cfg_.endpoint() + " within " +
                      std::to_string(cfg_.pool_wait_timeout.count()) + " ms: all " +
                      std::to_string(cfg_.pool_size) +
                      " pooled connections are in use. Raise pool_size or pool_wait_timeout "
                      "(Options or ?pool_size=N&pool_wait_timeout=ms in the URL), or hold "
                      "connections for shorter");
  }
}

bool Pool::circuit_open() const {
  std::lock_guard lock(mu_);
  return open_;
}

bool Pool::check_breaker(Clock::time_point now) {
  if (!open_) return false;
  const auto ms = [](auto d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  const std::string why = "redis_cache: skipped " + cfg_.endpoint() + ": it failed " +
                          std::to_string(cfg_.circuit_breaker.failures) +
                          " times in a row (connect errors or timeouts), so calls skip it";
  if (now < open_until_) {
    throw CircuitOpenError(why + " for another " + ms(open_until_ - now) +
                           " ms before one call probes it (Options::circuit_breaker)");
  }
  if (probing_) {
    throw CircuitOpenError(why +
                           " until the call probing it now succeeds "
                           "(Options::circuit_breaker)");
  }
  probing_ = true;
  return true;
}

Lease Pool::acquire() {
  std::unique_lock lock(mu_);
  const bool probe = check_breaker(Clock::now());
  const auto ready = [this] { return !idle_.empty() || created_ < cfg_.pool_size; };
  if (!ready()) [[unlikely]]
    wait_ready(lock);
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    idle_n_.store(idle_.size(), std::memory_order_relaxed);
    lock.unlock();
    // (One idle while the server restarted is rebuilt by Connection::command's
    // single retry on a fresh connection: no health-check syscall per call.)
    return Lease(this, std::move(conn), probe);
  }
  ++created_;  // lazily: a new Connection does no I/O until its first command
  opened_n_.store(created_, std::memory_order_relaxed);
  lock.unlock();
  try {
    return Lease(this, std::make_unique<Connection>(cfg_), probe);
  } catch (...) {
    std::lock_guard relock(mu_);
    --created_;
    opened_n_.store(created_, std::memory_order_relaxed);
    if (probe) probing_ = false;
    cv_.notify_one();
    throw;
  }
}

void Pool::release(std::unique_ptr<Connection> conn, bool failed, bool probe) noexcept {
  // Connections reset themselves on every connection-level error, so what
  // comes back is either healthy or disconnected (reconnects on next use).
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
    idle_n_.store(idle_.size(), std::memory_order_relaxed);
    if (probe) probing_ = false;
    const std::size_t limit = cfg_.circuit_breaker.failures;
    if (!failed) {
      failures_in_a_row_ = 0;
      if (probe) open_ = false;  // a late success of a lease from before does not close it
    } else if (limit > 0 && (++failures_in_a_row_ >= limit || probe)) {
      open_ = true;
      open_until_ = Clock::now() + cfg_.circuit_breaker.cool_down;
    }
    open_n_.store(open_, std::memory_order_relaxed);
  }
  cv_.notify_one();
}

PoolGauges Pool::gauges() const noexcept {
  constexpr auto r = std::memory_order_relaxed;
  const std::size_t open = opened_n_.load(r), idle = idle_n_.load(r);
  return {cfg_.pool_size, open, open > idle ? open - idle : 0, waiters_.load(r),
          open_n_.load(r) ? std::size_t{1} : std::size_t{0}};
}

}  // namespace redis_cache::detail
