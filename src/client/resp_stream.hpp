// RESP over a Transport: commands written in RESP's request form into one
// output buffer (a pipeline is one write), replies parsed by hiredis's
// redisReader from what the transport reads. What hiredis's blocking
// redisContext did, on a socket this library owns (plain, unix or TLS).
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "client/transport.hpp"

struct redisReader;  // hiredis
struct redisReply;

namespace redis_cache::detail {

class RespStream {
 public:
  RespStream() noexcept = default;
  ~RespStream();
  RespStream(const RespStream&) = delete;
  RespStream& operator=(const RespStream&) = delete;

  /// Connects (see Transport::open) with a fresh reader. false: error().
  bool open(const ConnectionConfig& cfg);
  /// Closes the connection and drops whatever was read or queued.
  void close() noexcept;
  bool is_open() const noexcept { return transport_.is_open(); }

  /// Queues one command (RESP array of bulk strings) for the next flush().
  void append(std::span<const std::string_view> argv);
  /// Writes every queued command. false: error() (the queue is dropped).
  bool flush();
  /// The next reply, reading by the command timeout when none is buffered.
  /// nullptr: error() (EOF, timeout, I/O, TLS, or a malformed reply).
  redisReply* get_reply();
  /// For a subscriber: the next reply or pushed message once one has started
  /// to arrive within `wait` (0 = only what is already here). false: failure
  /// (error()); true with nullptr: none started in time.
  bool poll_reply(std::chrono::milliseconds wait, redisReply*& out);

  const IoFailure& error() const noexcept {
    return failure_ ? reader_failure_ : transport_.error();
  }

 private:
  /// Feeds n bytes and takes a reply if complete. false: malformed (recorded).
  bool feed(const char* data, long n, redisReply*& out);
  bool take(redisReply*& out);  ///< a complete reply already parsed, if any
  /// A new connection closed by the server before any reply: records why
  /// that may be (TLS: a client certificate refused; plain: a TLS port).
  bool explain_early_close();

  Transport transport_;
  redisReader* reader_ = nullptr;
  std::string out_;       ///< queued commands
  bool replied_ = false;  ///< a reply arrived on this connection (for the TLS-port hint)
  bool failure_ = false;  ///< the reader failed (reader_failure_), not the transport
  IoFailure reader_failure_;
};

}  // namespace redis_cache::detail
