// The bytes of one connection, plain or TLS (see transport.hpp).
#include "client/transport.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "client/tls.hpp"
#include "client/url.hpp"

namespace redis_cache::detail {

Transport::Transport() noexcept = default;

Transport::~Transport() {
  close();
}

bool Transport::open(const ConnectionConfig& cfg) {
  close();
  err_ = IoFailure{};
  timeout_ = cfg.command_timeout;
  // One deadline for the TCP connect and the TLS handshake: connect_timeout bounds both.
  const Deadline dl = Deadline::after(cfg.connect_timeout);
  const int fd = connect_socket(cfg, dl, err_);
  if (fd < 0) return false;
  fd_ = fd;
  if (cfg.tls_context == nullptr) {
    if (use_blocking_io(fd_, timeout_, err_)) return true;
    close();
    return false;
  }
  tls_ = std::make_unique<TlsSession>(cfg.tls_context, fd_, cfg.host);
  client_cert_ = !cfg.tls_context->options().cert_file.empty();
  if (tls_->handshake(dl, err_)) return true;
  close();
  return false;
}

void Transport::close() noexcept {
  if (tls_ != nullptr) {
    tls_->shutdown();
    tls_.reset();
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool Transport::write_all(const char* data, std::size_t len) {
  if (tls_ != nullptr) return tls_->write(data, len, Deadline::after(timeout_), err_);
  while (len > 0) {
    // MSG_NOSIGNAL: a reset peer is an EPIPE (a ClosedError), never a SIGPIPE.
    const ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      set_errno_failure(err_, errno);
      return false;
    }
    data += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

long Transport::plain_recv(char* buf, std::size_t cap) {
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, cap, 0);
    if (n > 0) return static_cast<long>(n);
    if (n == 0) {
      set_eof_failure(err_);
      return -1;
    }
    if (errno != EINTR) {
      set_errno_failure(err_, errno);  // EAGAIN after SO_RCVTIMEO: a timeout
      return -1;
    }
  }
}

long Transport::read_some(char* buf, std::size_t cap, bool first, const Deadline& dl) {
  if (tls_ != nullptr) {
    const long n = tls_->read(buf, cap, dl, err_);
    if (n == 0) {
      set_eof_failure(err_);
      return -1;
    }
    return n;
  }
  if (!first) {
    const int ready = wait_fd(fd_, POLLIN, dl, err_);
    if (ready < 0) return -1;
    if (ready == 0) {
      set_timeout_failure(err_, "the rest of the reply did not arrive within command_timeout");
      return -1;
    }
  }
  return plain_recv(buf, cap);
}

int Transport::wait_readable(const Deadline& dl) {
  if (tls_ != nullptr && tls_->pending()) return 1;
  return wait_fd(fd_, POLLIN, dl, err_);
}

long Transport::try_read(char* buf, std::size_t cap) {
  if (tls_ == nullptr) return plain_recv(buf, cap);  // readable: recv does not wait
  // A deadline already passed: read what is decrypted, wait for nothing.
  const long n = tls_->read(buf, cap, Deadline::passed(), err_);
  if (n == 0) {
    set_eof_failure(err_);
    return -1;
  }
  if (n < 0 && err_.saved_errno == EAGAIN && !err_.tls) return 0;  // only a protocol record
  return n;
}

}  // namespace redis_cache::detail
