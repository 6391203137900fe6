// One synchronous connection to one Redis server, over hiredis.
//
// A connection that saw any error (I/O, timeout, protocol) is dead in hiredis
// 0.14: the next command rebuilds it (connect, timeouts, keepalive, AUTH,
// SELECT, CLIENT SETNAME) before it is sent. A server restart therefore never
// needs a process restart: the first call after it may fail, later ones work.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/reply.hpp"
#include "client/url.hpp"

struct redisContext;  // hiredis

namespace redis_cache::detail {

/// Arguments of one command, e.g. {"SET", key, value}.
using Argv = std::span<const std::string_view>;

class Connection {
 public:
  explicit Connection(ConnectionConfig cfg);  // connects lazily: no I/O here
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Sends one command and reads its reply. Throws the mapped Error on an I/O
  /// failure or timeout (the connection is rebuilt on next use) and ReplyError
  /// (or a subclass) on an error reply.
  Reply command(Argv argv);

  /// Sends all commands in one write, then reads all replies (in order).
  /// Error replies do not throw: they are returned in place (ReplyType::error),
  /// so the caller sees which command failed. I/O failures throw.
  std::vector<Reply> pipeline(std::span<const std::vector<std::string_view>> cmds);

  /// pipeline() in two halves, so that one thread can send to several servers
  /// before it waits for any (a cluster mget costs one round trip, not one per
  /// node). pipeline_send() connects if needed and writes every command;
  /// pipeline_receive() must follow on this connection, with the same commands
  /// (cmds must stay alive in between), before anything else is sent on it.
  /// Same retry as pipeline(): a reused connection the server had closed is
  /// rebuilt and the commands sent again (in receive, if that is where it shows).
  void pipeline_send(std::span<const std::vector<std::string_view>> cmds);
  std::vector<Reply> pipeline_receive(std::span<const std::vector<std::string_view>> cmds);

  /// For a subscriber (SUBSCRIBE, the near cache's invalidation listener, a
  /// sentinel's +switch-master): writes one command without reading its
  /// reply. Connects first if needed; no retry. Throws the mapped Error.
  void send(Argv argv);
  /// For a subscriber: the next reply or pushed message, waiting up to
  /// `timeout` for one to start (0: only what has already arrived). nullopt
  /// when none did; the connection stays usable. Once a message has started,
  /// the rest of it must arrive within command_timeout. Error replies are
  /// returned, not thrown; an I/O failure throws (and drops the connection).
  std::optional<Reply> receive(std::chrono::milliseconds timeout);

  /// Makes sure the connection is up (connecting if needed). Throws on failure.
  void ensure_connected();
  /// Drops the hiredis context; the next command reconnects.
  void reset() noexcept;
  bool connected() const noexcept { return ctx_ != nullptr; }
  /// Connection-level failures (I/O errors, timeouts) seen so far: the pool's
  /// circuit breaker compares it before and after a lease.
  std::uint64_t io_failures() const noexcept { return io_failures_; }
  const ConnectionConfig& config() const noexcept { return cfg_; }

 private:
  void connect();
  Reply exec(Argv argv);  // one command on ctx_, no reconnect
  std::vector<Reply> exec_pipeline(std::span<const std::vector<std::string_view>> cmds);
  void send_pipeline(std::span<const std::vector<std::string_view>> cmds);  // on ctx_
  std::vector<Reply> read_pipeline(std::span<const std::vector<std::string_view>> cmds);
  void setup(Argv argv, std::string_view what);     // AUTH / SELECT / SETNAME at connect
  [[noreturn]] void fail(std::string_view during);  // maps ctx_->err, resets, throws

  ConnectionConfig cfg_;
  redisContext* ctx_ = nullptr;
  bool sent_on_reused_ = false;
  std::uint64_t io_failures_ = 0;  // pipeline_send() wrote on a connection made earlier
};

/// The one place that maps a hiredis error (redisContext::err, errstr and the
/// errno seen right after the failing call) to the Error hierarchy:
/// timeout → TimeoutError, EOF / reset → ClosedError, protocol → ProtocolError,
/// any other I/O or connect failure → ConnectionError. The message names
/// `during` (e.g. "GET"), the endpoint and what to do.
[[noreturn]] void throw_hiredis_error(int hiredis_err, std::string_view errstr, int saved_errno,
                                      std::string_view endpoint, std::string_view during);

/// Throws the Error subclass for an error reply (MOVED → MovedError, ...),
/// with `where` (endpoint, key or command) in the message.
[[noreturn]] void throw_reply_error(std::string_view message, std::string_view where);

}  // namespace redis_cache::detail
