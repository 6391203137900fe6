// TLS: a rediss:// URL with the CA to trust (and, for mutual TLS, a client
// certificate), or the same settings as Options::tls. Without REDIS_TLS_URL it
// only shows a missing certificate file being refused when the cache is built.
#include <redis_cache/redis_cache.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace rc = redis_cache;

int square(int x) {
  return x * x;
}

int main() {
  // [tls]
  // All in the URL (keys: tls_ca, tls_ca_dir, tls_cert, tls_key, tls_sni, tls_verify):
  //   rediss://:s3cret@redis.internal:6380/0?tls_ca=/etc/redis/ca.crt
  // or the same as Options::tls (the URL's keys win):
  rc::Options options{
      .url = "rediss://:s3cret@redis.internal:6380/0",
      .tls = {.ca_file = "/etc/redis/ca.crt",        // the CA that signed the server's certificate
              .cert_file = "/etc/redis/client.crt",  // mutual TLS (tls-auth-clients yes)
              .key_file = "/etc/redis/client.key"},
  };
  // [tls]
  if (const char* url = std::getenv("REDIS_TLS_URL"); url != nullptr && *url != '\0') {
    rc::RedisCache cache{{.url = url}};
    auto f = cache.cache<&square>();
    std::cout << "square(7) = " << f(7) << " over TLS\n";
    return 0;
  }
  try {
    rc::RedisCache cache{options};  // reads the files now
  } catch (const rc::ConfigError& e) {
    std::cout << "refused at construction: " << e.what() << "\n";
    return 0;
  }
  std::cerr << "expected a ConfigError for the missing certificate files\n";
  return 1;
}
