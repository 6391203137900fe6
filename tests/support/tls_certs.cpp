// Test certificates made with the OpenSSL API (see tls_certs.hpp).
#include "support/tls_certs.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace rc_test {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("TlsCerts: OpenSSL failed: ") + what);
}

Key new_key() {
  Key k(EVP_EC_gen("P-256"));
  check(k != nullptr, "EVP_EC_gen");
  return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

/// A certificate for `cn` with `sans` ("" = none), signed by issuer (null:
/// by itself), valid from now + from_days to now + to_days.
Cert make_cert(const std::string& cn, const char* sans, EVP_PKEY* key, X509* issuer,
               EVP_PKEY* issuer_key, bool ca, long from_days, long to_days) {
  static long serial = 1;
  Cert cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), to_days * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("redis_cache tests"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  add_ext(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  add_ext(cert.get(), signer, NID_key_usage,
          ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
  add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid");
  if (!ca) add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  if (sans != nullptr && *sans != '\0') add_ext(cert.get(), signer, NID_subject_alt_name, sans);
  check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0,
        "X509_sign");
  return cert;
}

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  check(f != nullptr, "fopen");
  const bool ok = cert != nullptr
                      ? PEM_write_X509(f, cert) == 1
                      : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  check(ok, "PEM_write");
}

}  // namespace

TlsCerts::TlsCerts() {
  std::string templ = (std::filesystem::temp_directory_path() / "rc-tls-XXXXXX").string();
  check(::mkdtemp(templ.data()) != nullptr, "mkdtemp");
  dir_ = templ;
  const char* local = "DNS:localhost,IP:127.0.0.1";
  const Key ca_key = new_key();
  const Cert ca =
      make_cert("redis_cache test CA", "", ca_key.get(), nullptr, nullptr, true, -1, 30);
  write_pem(path("ca.crt"), ca.get(), nullptr);
  const auto leaf = [&](const std::string& name, const std::string& cn, const char* sans,
                        X509* issuer, EVP_PKEY* issuer_key, long from, long to) {
    const Key key = new_key();
    const Cert cert = make_cert(cn, sans, key.get(), issuer, issuer_key, false, from, to);
    write_pem(path(name + ".crt"), cert.get(), nullptr);
    write_pem(path(name + ".key"), nullptr, key.get());
  };
  leaf("server", "localhost", local, ca.get(), ca_key.get(), -1, 30);
  leaf("client", "redis_cache test client", "", ca.get(), ca_key.get(), -1, 30);
  leaf("wrong_host", "wrong.example.com", "DNS:wrong.example.com", ca.get(), ca_key.get(), -1, 30);
  leaf("expired", "localhost", local, ca.get(), ca_key.get(), -30, -1);
  leaf("self_signed", "localhost", local, nullptr, nullptr, -1, 30);
  const Key other_key = new_key();
  const Cert other = make_cert("another CA", "", other_key.get(), nullptr, nullptr, true, -1, 30);
  write_pem(path("other_ca.crt"), other.get(), nullptr);
  leaf("other_client", "a stranger", "", other.get(), other_key.get(), -1, 30);
  std::ofstream(path("not_pem.txt")) << "this is not a certificate\n";
}

TlsCerts::~TlsCerts() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace rc_test
