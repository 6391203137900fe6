// The bytes of one connection: a socket (TCP or unix) it owns, with TLS on
// top for rediss://. Opening connects by the connect timeout (and does the
// TLS handshake by the same deadline); reads and writes honour the command
// timeout. Failures are recorded as an IoFailure for the one mapping to
// redis_cache::Error in connection.cpp. resp_stream.hpp speaks RESP over it.
//
// Plain sockets are blocking with SO_RCVTIMEO / SO_SNDTIMEO, so a round trip
// costs one send and one recv, as with hiredis; TLS sockets are non-blocking
// and wait with poll() by a Deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "client/socket.hpp"

namespace redis_cache::detail {

class TlsSession;

class Transport {
 public:
  Transport() noexcept;
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Connects to cfg's endpoint by cfg.connect_timeout, with TLS when
  /// cfg.tls_context is set. false: error() says why (nothing stays open).
  bool open(const ConnectionConfig& cfg);
  /// Closes the socket (after a TLS close_notify when the session is healthy).
  void close() noexcept;
  bool is_open() const noexcept { return fd_ >= 0; }

  /// Writes all len bytes. false on failure (error()).
  bool write_all(const char* data, std::size_t len);
  /// Reads what has arrived, at least one byte, up to cap. The first read of
  /// a reply (`first`) waits up to the command timeout (plain: the socket's
  /// SO_RCVTIMEO, no clock read); later ones wait until dl. >0: bytes read;
  /// -1: failure (error(): EOF, a timeout, an I/O or TLS failure).
  long read_some(char* buf, std::size_t cap, bool first, const Deadline& dl);
  /// Whether bytes can be read without waiting longer than dl: 1 yes, 0 dl
  /// passed, -1 failure. TLS: bytes may be only a protocol message, so a
  /// read can still find nothing (see try_read).
  int wait_readable(const Deadline& dl);
  /// TLS-safe non-waiting read after wait_readable(): >0 bytes, 0 nothing
  /// yet (only TLS records without data arrived), -1 failure.
  long try_read(char* buf, std::size_t cap);

  std::chrono::milliseconds command_timeout() const noexcept { return timeout_; }
  bool tls() const noexcept { return tls_ != nullptr; }
  /// TLS with a client certificate (mutual TLS).
  bool client_certificate() const noexcept { return client_cert_; }
  const IoFailure& error() const noexcept { return err_; }

 private:
  long plain_recv(char* buf, std::size_t cap);

  int fd_ = -1;
  std::unique_ptr<TlsSession> tls_;
  std::chrono::milliseconds timeout_{0};
  bool client_cert_ = false;
  IoFailure err_;
};

}  // namespace redis_cache::detail
