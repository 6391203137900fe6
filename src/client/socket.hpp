// The socket under a connection: connect by a deadline (TCP or unix), the
// socket options hiredis used to set (TCP_NODELAY, keepalive, send and
// receive timeouts), the refusal of a TCP self-connect, and waiting for a
// socket to become readable or writable by a deadline. No I/O policy here:
// transport.hpp reads and writes, tls.hpp adds TLS on top.
#pragma once

#include <chrono>
#include <string>

namespace redis_cache::detail {

struct ConnectionConfig;

/// A point in time an operation must finish by, or none (wait forever).
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  /// `timeout` from now; 0 (or less) = forever, as every timeout of the options.
  static Deadline after(std::chrono::milliseconds timeout) noexcept;
  static Deadline forever() noexcept { return Deadline(); }
  /// Already passed: a call waits for nothing.
  static Deadline passed() noexcept;
  /// Milliseconds left for poll(): -1 = forever, 0 = passed.
  int poll_ms() const noexcept;

 private:
  Deadline() = default;
  bool forever_ = true;
  Clock::time_point at_{};
};

/// Why a call failed, as the mapping in connection.cpp needs it: a hiredis
/// error code (REDIS_ERR_IO, REDIS_ERR_EOF, REDIS_ERR_PROTOCOL, REDIS_ERR_OTHER;
/// a timeout is REDIS_ERR_IO with EAGAIN), the errno, and a description.
/// `tls`: a TLS failure whose description says what happened and what to do
/// (thrown as TlsError).
struct IoFailure {
  int code = 0;
  int saved_errno = 0;
  std::string text;
  bool tls = false;
};

/// Records errno (or `err`) as an I/O failure: strerror's text, as hiredis had it.
void set_errno_failure(IoFailure& why, int err);
/// Records a timeout (REDIS_ERR_IO, EAGAIN) with `text`.
void set_timeout_failure(IoFailure& why, std::string text);
/// Records that the peer closed the connection (REDIS_ERR_EOF).
void set_eof_failure(IoFailure& why);

/// Connects to cfg's unix socket, or to its TCP host:port (each address
/// getaddrinfo gives, in order), by dl. On success returns a
/// non-blocking, close-on-exec fd with TCP_NODELAY and (cfg.keepalive)
/// keepalive set. A TCP connection whose local and peer addresses are equal
/// (a self-connect: nothing listened on a loopback port of the ephemeral
/// range) is closed and refused. On failure returns -1 and sets `why`.
int connect_socket(const ConnectionConfig& cfg, const Deadline& dl, IoFailure& why);

/// True when fd's local and peer addresses are equal: a TCP self-connect.
bool is_self_connect(int fd);

/// Makes fd blocking with cfg.command_timeout as SO_RCVTIMEO / SO_SNDTIMEO
/// (none when 0): the plain path reads and writes with one syscall each, as
/// hiredis does. false (and `why`) on failure.
bool use_blocking_io(int fd, std::chrono::milliseconds timeout, IoFailure& why);

/// Waits for `events` (POLLIN / POLLOUT) on fd until dl. 1 ready, 0 dl passed
/// (nothing recorded), -1 poll failed (`why` set).
int wait_fd(int fd, short events, const Deadline& dl, IoFailure& why);

}  // namespace redis_cache::detail
