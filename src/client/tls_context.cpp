// One SSL_CTX per parsed URL: what to trust, the client certificate, whether
// to verify (see tls.hpp). Every file is checked here, when the client is
// built, and a bad one is a ConfigError naming it.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <redis_cache/errors.hpp>

#include "client/tls.hpp"

namespace redis_cache::detail {
namespace {

/// The oldest OpenSSL error queued, as text ("" if none); clears the queue.
std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return {};
  const char* reason = ERR_reason_error_string(e);
  return reason != nullptr ? std::string(reason) : "OpenSSL error " + std::to_string(e);
}

[[noreturn]] void bad_file(std::string_view what, const std::string& path, const std::string& why) {
  throw ConfigError("redis_cache: TLS " + std::string(what) + " '" + path + "' " + why);
}

/// A file that exists, is a regular file and can be opened for reading.
void check_readable(std::string_view what, const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    bad_file(what, path,
             "does not exist (check the path; relative paths start at the working "
             "directory)");
  }
  if (!std::filesystem::is_regular_file(status)) bad_file(what, path, "is not a regular file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    bad_file(what, path, std::string("cannot be read: ") + std::strerror(errno));
  }
  std::fclose(f);
}

/// An encrypted private key would make OpenSSL ask for its passphrase on the
/// terminal: refuse instead (load_key reports it as a ConfigError).
int no_passphrase(char*, int, int, void*) {
  return 0;
}

}  // namespace

TlsContext::TlsContext(const TlsOptions& options) : options_(options) {
  const TlsOptions& o = options_;
  if (o.cert_file.empty() != o.key_file.empty()) {
    throw ConfigError(
        "redis_cache: a TLS client certificate needs both a certificate and its key: give both "
        "tls_cert and tls_key (TlsOptions::cert_file and key_file), or neither");
  }
  if (!o.ca_file.empty()) check_readable("CA file (tls_ca)", o.ca_file);
  if (!o.ca_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(o.ca_dir, ec)) {
      bad_file("CA directory (tls_ca_dir)", o.ca_dir, "is not a directory");
    }
  }
  if (!o.cert_file.empty()) check_readable("client certificate (tls_cert)", o.cert_file);
  if (!o.key_file.empty()) check_readable("client key (tls_key)", o.key_file);

  ERR_clear_error();
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) {
    throw ConnectionError("redis_cache: cannot create an OpenSSL context: " + openssl_reason());
  }
  try {
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    // A peer that closes without close_notify is a closed connection (ClosedError),
    // as over TCP, not an "unexpected eof" TLS error.
    SSL_CTX_set_options(ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_default_passwd_cb(ctx_, no_passphrase);
    if (o.verify) SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (!o.ca_file.empty() || !o.ca_dir.empty()) {
      const char* file = o.ca_file.empty() ? nullptr : o.ca_file.c_str();
      const char* dir = o.ca_dir.empty() ? nullptr : o.ca_dir.c_str();
      if (SSL_CTX_load_verify_locations(ctx_, file, dir) != 1) {
        bad_file(file != nullptr ? "CA file (tls_ca)" : "CA directory (tls_ca_dir)",
                 file != nullptr ? o.ca_file : o.ca_dir,
                 "holds no PEM certificate (" + openssl_reason() + ")");
      }
    } else if (SSL_CTX_set_default_verify_paths(ctx_) != 1) {
      throw ConfigError("redis_cache: cannot load the system's CA certificates (" +
                        openssl_reason() + "); give a CA file as tls_ca (TlsOptions::ca_file)");
    }
    if (!o.cert_file.empty()) {
      // The key first: set after it, a certificate that does not match drops it,
      // and the check below says so in words.
      if (SSL_CTX_use_PrivateKey_file(ctx_, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        bad_file("client key (tls_key)", o.key_file,
                 "is not an unencrypted PEM private key (" + openssl_reason() + ")");
      }
      if (SSL_CTX_use_certificate_chain_file(ctx_, o.cert_file.c_str()) != 1) {
        bad_file("client certificate (tls_cert)", o.cert_file,
                 "is not a PEM certificate (" + openssl_reason() + ")");
      }
      if (SSL_CTX_check_private_key(ctx_) != 1) {
        ERR_clear_error();
        bad_file("client key (tls_key)", o.key_file,
                 "does not belong to the client certificate '" + o.cert_file + "'");
      }
    }
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

std::shared_ptr<const TlsContext> make_tls_context(const TlsOptions& options) {
  return std::make_shared<const TlsContext>(options);
}

}  // namespace redis_cache::detail
