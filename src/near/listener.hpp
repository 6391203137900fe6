// NearListener: the near cache's invalidation listener, one connection on its
// own thread (RESP2: hiredis 0.14 has no RESP3 push messages):
//   CLIENT ID → CLIENT TRACKING on REDIRECT <own id> BCAST PREFIX <prefix>
//   → SUBSCRIBE __redis__:invalidate
// then: invalidation messages evict keys (a null payload, FLUSHALL/FLUSHDB,
// flushes everything); a PING 250 ms after the last pong, whose pong must
// arrive within 500 ms (a silent server is noticed within 750 ms). Any error or missed deadline: the near cache is flushed and bypassed
// (NearCache::on_lost) until a new subscription is confirmed. On a cluster,
// one listener per master (NearCache arms them).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "client/connection.hpp"
#include "client/url.hpp"

namespace redis_cache::detail {

class NearCache;

class NearListener {
 public:
  static constexpr std::chrono::milliseconds kPingEvery{250};
  static constexpr std::chrono::milliseconds kPongDeadline{500};

  /// id: how the listener names itself to near's events (one per server).
  NearListener(NearCache& near, std::uint64_t id, ConnectionConfig cfg, std::string prefix);
  ~NearListener();  ///< stops the thread and joins it
  NearListener(const NearListener&) = delete;
  NearListener& operator=(const NearListener&) = delete;

 private:
  void run() noexcept;
  void session(Connection& conn);  // returns when stopped; throws when the listener is lost
  void handle(const Reply& msg, bool& pong);

  NearCache& near_;
  std::uint64_t id_;
  ConnectionConfig cfg_;
  std::string prefix_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace redis_cache::detail
