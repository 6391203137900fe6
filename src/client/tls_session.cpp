// One TLS session over a connected socket: handshake, reads and writes by a
// deadline, and failures described for people (see tls.hpp).
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

#include <redis_cache/errors.hpp>

#include "client/tls.hpp"

namespace redis_cache::detail {
namespace {

// -- a socket BIO that never raises SIGPIPE ------------------------------------
// OpenSSL's own socket BIO write()s, and writing to a socket the peer reset
// raises SIGPIPE, whose default action kills the process. This one sends with
// MSG_NOSIGNAL (the program's signal handling stays untouched).

int fd_of(BIO* b) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(b)));
}

int bio_write(BIO* b, const char* data, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = 0;
  do {
    n = ::send(fd_of(b), data, static_cast<std::size_t>(len), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

int bio_read(BIO* b, char* buf, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = 0;
  do {
    n = ::recv(fd_of(b), buf, static_cast<std::size_t>(len), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(b);
  return static_cast<int>(n);
}

long bio_ctrl(BIO*, int cmd, long, void*) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;  // unbuffered: nothing to flush; nothing else applies
}

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

int bio_destroy(BIO*) {
  return 1;  // the fd belongs to the Transport
}

/// The method, made once (thread-safe static) and kept for the process.
BIO_METHOD* nosignal_socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "redis_cache socket");
    if (m != nullptr) {
      BIO_meth_set_write(m, bio_write);
      BIO_meth_set_read(m, bio_read);
      BIO_meth_set_ctrl(m, bio_ctrl);
      BIO_meth_set_create(m, bio_create);
      BIO_meth_set_destroy(m, bio_destroy);
    }
    return m;
  }();
  return method;
}

// -- describing a failure -------------------------------------------------------

bool is_ip_literal(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, name.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

std::string asn1_time_text(const ASN1_TIME* t) {
  BIO* mem = BIO_new(BIO_s_mem());
  if (mem == nullptr) return "?";
  ASN1_TIME_print(mem, t);
  char* data = nullptr;
  const long n = BIO_get_mem_data(mem, &data);
  std::string out(data != nullptr && n > 0 ? std::string(data, static_cast<std::size_t>(n)) : "?");
  BIO_free(mem);
  return out;
}

std::string name_text(const X509_NAME* name) {
  char buf[256];
  X509_NAME_oneline(name, buf, sizeof buf);
  return buf;
}

/// The names a certificate is valid for: its DNS and IP subject alternative
/// names, and its common name (which verification ignores when SANs exist).
std::string certificate_names(X509* cert) {
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type == GEN_DNS) {
      const auto* s = gn->d.dNSName;
      add("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (gn->type == GEN_IPADD) {
      const auto* s = gn->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = "?";
      const int len = ASN1_STRING_length(s);
      if (len == 4 || len == 16) {
        ::inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), text, sizeof text);
      }
      add(std::string("IP:") + text);
    }
  }
  GENERAL_NAMES_free(sans);
  char cn[256];
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0) {
    add("CN=" + std::string(cn));
  }
  return out.empty() ? "no names" : out;
}

constexpr std::string_view kTrustHint =
    "pass the CA that signed it as ?tls_ca=/path/ca.crt (TlsOptions::ca_file) or ?tls_ca_dir= "
    "(TlsOptions::ca_dir)";

}  // namespace

TlsSession::TlsSession(std::shared_ptr<const TlsContext> ctx, int fd, std::string_view host)
    : ctx_(std::move(ctx)), fd_(fd) {
  const TlsOptions& o = ctx_->options();
  name_ = o.server_name.empty() ? std::string(host) : o.server_name;
  ip_name_ = is_ip_literal(name_);
  ERR_clear_error();
  ssl_ = SSL_new(ctx_->native());
  BIO* bio = nosignal_socket_method() != nullptr ? BIO_new(nosignal_socket_method()) : nullptr;
  if (ssl_ == nullptr || bio == nullptr) {
    BIO_free(bio);
    SSL_free(ssl_);
    throw TlsError("redis_cache: cannot create a TLS session (out of memory?)");
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd_)));
  SSL_set_bio(ssl_, bio, bio);  // ssl_ owns bio now
  SSL_set_connect_state(ssl_);
  if (!ip_name_) SSL_set_tlsext_host_name(ssl_, name_.c_str());  // SNI: never an IP address
  if (o.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = ip_name_ ? X509_VERIFY_PARAM_set1_ip_asc(param, name_.c_str())
                            : X509_VERIFY_PARAM_set1_host(param, name_.c_str(), name_.size());
    if (ok != 1) {
      SSL_free(ssl_);
      ssl_ = nullptr;
      throw TlsError("redis_cache: cannot verify the TLS server name '" + name_ +
                     "': it is not a valid host name or IP address (set tls_sni / "
                     "TlsOptions::server_name)");
    }
  }
}

TlsSession::~TlsSession() {
  SSL_free(ssl_);
}

bool TlsSession::pending() const noexcept {
  return SSL_pending(ssl_) > 0;
}

void TlsSession::shutdown() noexcept {
  if (failed_ || !SSL_is_init_finished(ssl_)) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // sends close_notify; does not wait for the server's
  ERR_clear_error();
}

bool TlsSession::handshake(const Deadline& dl, IoFailure& why) {
  for (;;) {
    ERR_clear_error();
    const int rc = SSL_connect(ssl_);
    if (rc == 1) return true;
    const int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      const int ready = wait_fd(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, dl, why);
      if (ready < 0) return false;
      if (ready > 0) continue;
      failed_ = true;
      why = IoFailure{0, EAGAIN,
                      "timed out waiting for the TLS handshake (connect_timeout): the server "
                      "sent no TLS answer. Is this a plaintext port? Use redis:// for it (or the "
                      "server's tls-port). Otherwise the server is paused or overloaded",
                      true};
      return false;
    }
    describe_failure(err, "the TLS handshake", why);
    return false;
  }
}

long TlsSession::read(char* buf, std::size_t cap, const Deadline& dl, IoFailure& why) {
  const int len = cap > INT_MAX ? INT_MAX : static_cast<int>(cap);
  for (;;) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, buf, len);
    if (n > 0) return n;
    const int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      const int ready = wait_fd(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, dl, why);
      if (ready < 0) return -1;
      if (ready > 0) continue;
      set_timeout_failure(why, "Resource temporarily unavailable");
      return -1;
    }
    if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0)) return 0;
    describe_failure(err, "reading", why);
    return -1;
  }
}

bool TlsSession::write(const char* data, std::size_t len, const Deadline& dl, IoFailure& why) {
  while (len > 0) {
    const int chunk = len > INT_MAX ? INT_MAX : static_cast<int>(len);
    ERR_clear_error();
    const int n = SSL_write(ssl_, data, chunk);
    if (n > 0) {
      data += n;
      len -= static_cast<std::size_t>(n);
      continue;
    }
    const int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      const int ready = wait_fd(fd_, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, dl, why);
      if (ready < 0) return false;
      if (ready > 0) continue;  // SSL_write again with the same arguments
      set_timeout_failure(why, "Resource temporarily unavailable");
      return false;
    }
    describe_failure(err, "writing", why);
    return false;
  }
  return true;
}

void TlsSession::describe_failure(int err, std::string_view what, IoFailure& why) {
  const int saved = errno;
  failed_ = true;  // no close_notify on a broken session
  const unsigned long e = ERR_peek_error();
  const int reason = e != 0 ? ERR_GET_REASON(e) : 0;
  const char* text = e != 0 ? ERR_reason_error_string(e) : nullptr;
  const std::string openssl = text != nullptr ? text : "no OpenSSL reason";
  ERR_clear_error();
  const bool handshaking = what == "the TLS handshake";
  if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
    if (handshaking) {
      why = IoFailure{0, saved,
                      "the server closed the connection during the TLS handshake" +
                          std::string(saved != 0 ? " (" + std::string(std::strerror(saved)) + ")"
                                                 : std::string()) +
                          ": it may not speak TLS on this port (use redis:// for a plaintext "
                          "port) or may have refused this client (tls-auth-clients needs a "
                          "client certificate: tls_cert and tls_key)",
                      true};
    } else if (saved != 0) {
      set_errno_failure(why, saved);
    } else {
      set_eof_failure(why);
    }
    return;
  }
  if (handshaking && SSL_get_verify_result(ssl_) != X509_V_OK) {
    why = IoFailure{0, 0, verification_failure(), true};
    return;
  }
  std::string msg;
  switch (reason) {
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_UNKNOWN_PROTOCOL:
    case SSL_R_RECORD_LENGTH_MISMATCH:
      msg = "the server did not answer with TLS (" + openssl +
            "): this is probably a plaintext port. Use redis:// for it, or the port Redis "
            "serves TLS on (its tls-port)";
      break;
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      msg = "the server requires a client certificate (" + openssl +
            "; tls-auth-clients is on): give one with tls_cert and tls_key "
            "(TlsOptions::cert_file and key_file)";
      break;
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
      msg = "the server refused the handshake (" + openssl +
            "): it may require a client certificate (tls_cert and tls_key) or support none of "
            "this client's TLS versions and ciphers";
      break;
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
      msg = "the server rejected this client's certificate (" + openssl +
            "): it must be signed by a CA the server trusts (its tls-ca-cert-file) and be valid "
            "now";
      break;
    default:
      msg = (handshaking ? "the TLS handshake failed ("
                         : "TLS error while " + std::string(what) + " (") +
            openssl + ")";
  }
  why = IoFailure{0, 0, std::move(msg), true};
}

std::string TlsSession::verification_failure() const {
  const long result = SSL_get_verify_result(ssl_);
  const std::string text = X509_verify_cert_error_string(result);
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_);
  X509* leaf = chain != nullptr && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : nullptr;
  switch (result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "host name mismatch: the server's certificate is not valid for '" + name_ +
             "' (it names " + (leaf != nullptr ? certificate_names(leaf) : "?") +
             "). Connect with a name the certificate holds, or set the name to verify with "
             "?tls_sni= (TlsOptions::server_name)";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "the server's certificate has expired (" + text + "; not after " +
             (leaf != nullptr ? asn1_time_text(X509_get0_notAfter(leaf)) : "?") +
             "): the server needs a renewed certificate";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "the server's certificate is not valid yet (not before " +
             (leaf != nullptr ? asn1_time_text(X509_get0_notBefore(leaf)) : "?") +
             "): check the clocks of client and server";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "unknown CA: the server's certificate is self-signed (" + text + ", subject " +
             (leaf != nullptr ? name_text(X509_get_subject_name(leaf)) : "?") +
             ") and not trusted: " + std::string(kTrustHint);
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return "unknown CA / untrusted chain: the server's certificate (subject " +
             (leaf != nullptr ? name_text(X509_get_subject_name(leaf)) : "?") + ", issuer " +
             (leaf != nullptr ? name_text(X509_get_issuer_name(leaf)) : "?") +
             ") is not signed by a CA this client trusts (" + text +
             "): " + std::string(kTrustHint);
    default:
      return "the server's certificate failed verification: " + text +
             " (?tls_verify=false turns verification off, which exposes the connection to "
             "anyone on the path)";
  }
}

}  // namespace redis_cache::detail
