// Certificates for the TLS tests, made at test time with the OpenSSL API in a
// fresh temp dir (removed in the destructor): a CA, a server certificate for
// localhost / 127.0.0.1, a client certificate, one for a wrong host name, an
// expired one, a self-signed one, and a second CA the server does not know.
// EC P-256 keys: quick to generate.
#pragma once

#include <string>

namespace rc_test {

class TlsCerts {
 public:
  TlsCerts();  ///< throws std::runtime_error if OpenSSL fails
  ~TlsCerts();
  TlsCerts(const TlsCerts&) = delete;
  TlsCerts& operator=(const TlsCerts&) = delete;

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // Files (PEM) in dir():
  //   ca.crt                            the CA everything below is signed by
  //   server.crt / server.key           DNS:localhost, IP:127.0.0.1
  //   client.crt / client.key           a client certificate (mutual TLS)
  //   wrong_host.crt / wrong_host.key   DNS:wrong.example.com only
  //   expired.crt / expired.key         localhost / 127.0.0.1, expired a day ago
  //   self_signed.crt / self_signed.key localhost / 127.0.0.1, signed by itself
  //   other_ca.crt                      a CA that signed nothing here
  //   other_client.crt / .key           a client certificate signed by other_ca
  //   not_pem.txt                       a file that is not PEM

 private:
  std::string dir_;
};

}  // namespace rc_test
