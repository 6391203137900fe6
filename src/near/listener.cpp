// NearListener (see listener.hpp): subscribe, listen, ping; on any failure
// flush and start again with a backoff.
#include "near/listener.hpp"

#include <redis_cache/errors.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "near/near_cache.hpp"

namespace redis_cache::detail {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// How long receive() waits at most: how quickly a stop is seen.
constexpr milliseconds kNearPoll{50};

std::string_view kind_of(const ReplyRef& msg) {
  return msg.type() == ReplyType::array && msg.size() > 0 ? msg[0].str() : std::string_view{};
}

}  // namespace

NearListener::NearListener(NearCache& near, std::uint64_t id, ConnectionConfig cfg,
                           std::string prefix)
    : near_(near), id_(id), cfg_(std::move(cfg)), prefix_(std::move(prefix)) {
  if (!cfg_.client_name.empty()) cfg_.client_name += ":near";
  thread_ = std::thread([this] { run(); });
}

NearListener::~NearListener() {
  {
    std::lock_guard lock(mu_);
    stop_.store(true);
  }
  cv_.notify_all();
  thread_.join();
}

void NearListener::run() noexcept {
  Connection conn(cfg_);
  milliseconds backoff{10};
  while (!stop_.load()) {
    try {
      session(conn);
      backoff = milliseconds{10};
    } catch (...) {  // Error, or anything else: the subscription is gone either way
    }
    near_.on_lost(id_);
    conn.reset();
    if (stop_.load()) break;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, backoff, [&] { return stop_.load(); });
    backoff = std::min(backoff * 2, milliseconds{1000});
  }
}

void NearListener::session(Connection& conn) {
  conn.ensure_connected();
  const std::array<std::string_view, 2> client_id{"CLIENT", "ID"};
  const std::string id = std::to_string(conn.command(client_id).integer());
  const std::array<std::string_view, 8> tracking{"CLIENT", "TRACKING", "on",     "REDIRECT",
                                                 id,       "BCAST",    "PREFIX", prefix_};
  conn.command(tracking);  // an error reply throws
  const std::array<std::string_view, 2> subscribe{"SUBSCRIBE", "__redis__:invalidate"};
  conn.send(subscribe);
  const auto ack_deadline = Clock::now() + std::max(cfg_.command_timeout, milliseconds{1000});
  for (;;) {
    if (stop_.load()) return;
    std::optional<Reply> r = conn.receive(kNearPoll);
    if (r && kind_of(*r) == "subscribe") break;
    if (r && r->type() == ReplyType::error)
      throw ProtocolError("redis_cache: near cache listener: SUBSCRIBE on " + cfg_.endpoint() +
                          " failed: " + std::string(r->str()));
    if (Clock::now() >= ack_deadline)
      throw TimeoutError("redis_cache: near cache listener: no SUBSCRIBE reply from " +
                         cfg_.endpoint());
  }
  near_.on_subscribed(id_);

  const std::array<std::string_view, 1> ping{"PING"};
  auto next_ping = Clock::now() + kPingEvery;
  bool awaiting_pong = false;
  Clock::time_point pong_due{};
  // Everything that has arrived is read before the deadline is judged: a
  // listener thread that was not scheduled for a while (a loaded host) finds
  // its pong waiting and is not mistaken for a lost one.
  const auto drain = [&](milliseconds wait) {
    for (std::optional<Reply> r = conn.receive(wait); r; r = conn.receive(milliseconds{0})) {
      bool pong = false;
      handle(*r, pong);
      if (pong) {
        awaiting_pong = false;
        next_ping = Clock::now() + kPingEvery;
      }
    }
  };
  while (!stop_.load()) {
    const auto now = Clock::now();
    if (!awaiting_pong && now >= next_ping) {
      conn.send(ping);
      awaiting_pong = true;
      pong_due = now + kPongDeadline;
    }
    const auto until = awaiting_pong ? pong_due : next_ping;
    drain(std::clamp(std::chrono::duration_cast<milliseconds>(until - now) + milliseconds{1},
                     milliseconds{1}, kNearPoll));
    if (awaiting_pong && Clock::now() >= pong_due) {
      drain(milliseconds{0});
      if (awaiting_pong)
        throw TimeoutError("redis_cache: near cache listener: no PING reply from " +
                           cfg_.endpoint() + " within its deadline");
    }
  }
}

void NearListener::handle(const Reply& msg, bool& pong) {
  if (msg.type() == ReplyType::error)
    throw ProtocolError("redis_cache: near cache listener on " + cfg_.endpoint() + ": " +
                        std::string(msg.str()));
  const std::string_view kind = kind_of(msg);
  if (kind == "pong") {
    pong = true;
  } else if (kind == "message" && msg.size() == 3) {
    const ReplyRef payload = msg[2];
    if (payload.type() == ReplyType::array) {
      for (std::size_t i = 0; i < payload.size(); ++i) near_.on_invalidate(payload[i].str());
    } else if (payload.is_nil()) {
      near_.on_flush();  // FLUSHALL / FLUSHDB
    } else {
      near_.on_invalidate(payload.str());
    }
  }
}

}  // namespace redis_cache::detail
