// Connecting a socket by a deadline and the socket options (see socket.hpp).
#include "client/socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include <hiredis/read.h>

#include "client/url.hpp"

namespace redis_cache::detail {

Deadline Deadline::after(std::chrono::milliseconds timeout) noexcept {
  Deadline d;
  if (timeout.count() > 0) {
    d.forever_ = false;
    d.at_ = Clock::now() + timeout;
  }
  return d;
}

Deadline Deadline::passed() noexcept {
  Deadline d;
  d.forever_ = false;  // at_ = the clock's epoch: long past
  return d;
}

int Deadline::poll_ms() const noexcept {
  if (forever_) return -1;
  const auto left = at_ - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  // Rounded up: poll(…, 0) would spin while a fraction of a millisecond is left.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms);
}

void set_errno_failure(IoFailure& why, int err) {
  why.code = REDIS_ERR_IO;
  why.saved_errno = err;
  why.text = std::strerror(err);
  why.tls = false;
}

void set_timeout_failure(IoFailure& why, std::string text) {
  why.code = REDIS_ERR_IO;
  why.saved_errno = EAGAIN;
  why.text = std::move(text);
  why.tls = false;
}

void set_eof_failure(IoFailure& why) {
  why.code = REDIS_ERR_EOF;  // hiredis's words, which the mapping knows
  why.saved_errno = 0;
  why.text = "Server closed the connection";
  why.tls = false;
}

int wait_fd(int fd, short events, const Deadline& dl, IoFailure& why) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, dl.poll_ms());
    if (n > 0) return 1;  // ready, or POLLERR / POLLHUP: the next call reports it
    if (n == 0) return 0;
    if (errno != EINTR) {
      set_errno_failure(why, errno);
      return -1;
    }
  }
}

namespace {

/// Closes fd on scope exit unless released.
class FdGuard {
 public:
  explicit FdGuard(int fd) noexcept : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

/// connect() on a non-blocking fd, then waiting for it by dl. true: connected.
bool connect_by(int fd, const sockaddr* addr, socklen_t len, const Deadline& dl, IoFailure& why) {
  int rc = 0;
  do {
    rc = ::connect(fd, addr, len);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return true;
  if (errno != EINPROGRESS && errno != EAGAIN) {
    set_errno_failure(why, errno);
    return false;
  }
  const int ready = wait_fd(fd, POLLOUT, dl, why);
  if (ready < 0) return false;
  if (ready == 0) {
    why.code = REDIS_ERR_IO;  // as hiredis: "Connection timed out" (a TimeoutError)
    why.saved_errno = ETIMEDOUT;
    why.text = std::strerror(ETIMEDOUT);
    return false;
  }
  int err = 0;
  socklen_t err_len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0) err = errno;
  if (err != 0) {
    set_errno_failure(why, err);
    return false;
  }
  return true;
}

bool same_address(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  if (a.ss_family == AF_INET6) {
    const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
    return x.sin6_port == y.sin6_port &&
           std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
  }
  return false;
}

void set_tcp_options(int fd, bool keepalive) {
  // As hiredis: no Nagle delay; keepalive probes after 15 s idle, every 5 s, 3 times.
  int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (!keepalive) return;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
#ifdef TCP_KEEPIDLE
  int idle = 15, interval = 5, count = 3;
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
#endif
}

}  // namespace

/// A connect to a loopback port in the ephemeral range while nothing listens
/// there can succeed against itself (TCP simultaneous open): the "server"
/// would then echo every command back. Refused as a ConnectionError.
bool is_self_connect(int fd) {
  sockaddr_storage local{}, peer{};
  socklen_t local_len = sizeof local, peer_len = sizeof peer;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
      ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
    return false;
  }
  return same_address(local, peer);
}

int connect_socket(const ConnectionConfig& cfg, const Deadline& dl, IoFailure& why) {
  if (!cfg.socket_path.empty()) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (cfg.socket_path.size() >= sizeof addr.sun_path) {
      why.code = REDIS_ERR_OTHER;
      why.text =
          "unix socket path longer than " + std::to_string(sizeof addr.sun_path - 1) + " bytes";
      return -1;
    }
    std::memcpy(addr.sun_path, cfg.socket_path.data(), cfg.socket_path.size());
    const int raw = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (raw < 0) {
      set_errno_failure(why, errno);
      return -1;
    }
    FdGuard fd(raw);
    if (!connect_by(raw, reinterpret_cast<const sockaddr*>(&addr), sizeof addr, dl, why)) {
      return -1;
    }
    return fd.release();
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(cfg.port);
  if (const int rc = ::getaddrinfo(cfg.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    why.code = REDIS_ERR_OTHER;
    why.text = std::string("cannot resolve the host name: ") + ::gai_strerror(rc);
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
  why.code = REDIS_ERR_OTHER;
  why.text = "no address found";
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int raw =
        ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (raw < 0) {
      set_errno_failure(why, errno);
      continue;
    }
    FdGuard fd(raw);
    if (!connect_by(raw, a->ai_addr, a->ai_addrlen, dl, why)) {
      if (why.saved_errno == ETIMEDOUT) return -1;  // the deadline is spent
      continue;                                     // refused there: try the next address
    }
    if (is_self_connect(raw)) {
      why.code = REDIS_ERR_OTHER;
      why.saved_errno = 0;
      why.text =
          "the connection landed on its own socket (a TCP self-connect: nothing listens on that "
          "port, which lies in the local ephemeral port range)";
      return -1;
    }
    set_tcp_options(raw, cfg.keepalive);
    return fd.release();
  }
  return -1;
}

bool use_blocking_io(int fd, std::chrono::milliseconds timeout, IoFailure& why) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    set_errno_failure(why, errno);
    return false;
  }
  // {0, 0} (a timeout of 0) clears the timeout: wait forever. Normalised (usec < 1e6).
  const auto ms = timeout.count() < 0 ? 0 : timeout.count();
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms % 1000) * 1000);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
    set_errno_failure(why, errno);
    return false;
  }
  return true;
}

}  // namespace redis_cache::detail
