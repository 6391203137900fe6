// TLS for rediss:// with OpenSSL 3 (DESIGN.md §6).
//
// TlsContext: one SSL_CTX per parsed URL, shared by every connection of its
// pool (and of every node of a cluster): the CAs to trust, the client
// certificate for mutual TLS, whether to verify. Built when the client is
// built, so a missing or non-PEM file is a ConfigError at construction.
//
// TlsSession: one SSL over a connected, non-blocking socket. Its I/O goes
// through send(MSG_NOSIGNAL) / recv (a BIO of our own), so a peer that reset
// the connection is an error, never a SIGPIPE. The handshake, reads and
// writes wait with poll() by a Deadline. Failures are described for people:
// unknown CA, host name mismatch (with the names the certificate holds),
// expired, client certificate required, not a TLS port.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <redis_cache/options.hpp>

#include "client/socket.hpp"

typedef struct ssl_ctx_st SSL_CTX;  // OpenSSL
typedef struct ssl_st SSL;

namespace redis_cache::detail {

class TlsContext {
 public:
  /// Reads the CA, certificate and key files. Throws ConfigError naming a
  /// file that is missing, unreadable or not PEM (never its contents).
  explicit TlsContext(const TlsOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* native() const noexcept { return ctx_; }
  const TlsOptions& options() const noexcept { return options_; }

 private:
  TlsOptions options_;
  SSL_CTX* ctx_ = nullptr;
};

class TlsSession {
 public:
  /// TLS on fd (connected, non-blocking; not owned) to `host`, the name
  /// verified and sent as SNI unless options().server_name replaces it.
  TlsSession(std::shared_ptr<const TlsContext> ctx, int fd, std::string_view host);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  /// The handshake and verification, by dl. false: `why` says what failed
  /// (tls set: a TlsError, or a timeout / I/O failure).
  bool handshake(const Deadline& dl, IoFailure& why);
  /// Reads up to cap bytes (at least one), waiting by dl. >0 bytes read; 0 the
  /// peer closed; -1 failure (`why`; a timeout when dl passed).
  long read(char* buf, std::size_t cap, const Deadline& dl, IoFailure& why);
  /// Writes all len bytes by dl. false on failure (`why`).
  bool write(const char* data, std::size_t len, const Deadline& dl, IoFailure& why);
  /// Decrypted bytes already buffered (a read returns at once).
  bool pending() const noexcept;
  /// Sends close_notify if the connection is healthy (no waiting).
  void shutdown() noexcept;

 private:
  /// `what` failed with SSL_get_error `err`: fills why (and marks the session failed).
  void describe_failure(int err, std::string_view what, IoFailure& why);
  /// After a failed handshake: what the verification said, for people.
  std::string verification_failure() const;

  std::shared_ptr<const TlsContext> ctx_;
  SSL* ssl_ = nullptr;
  int fd_;
  std::string name_;  ///< verified (and sent as SNI unless an IP address)
  bool ip_name_ = false;
  bool failed_ = false;
};

/// TlsContext for options, shared by every copy of a ConnectionConfig.
std::shared_ptr<const TlsContext> make_tls_context(const TlsOptions& options);

}  // namespace redis_cache::detail
