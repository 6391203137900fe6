// TLS (rediss://) against real redis-server processes that speak only TLS,
// with certificates made at test time (tests/support/tls_certs.hpp): cached
// functions, AUTH, SELECT, pipelines and subscribers over TLS, mutual TLS,
// and every failure by its type and message.
#include <redis_cache/redis_cache.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "access.hpp"
#include "client/client.hpp"
#include "key_layout.hpp"
#include "support/redis_server.hpp"
#include "support/tls_certs.hpp"

namespace {

namespace rc = redis_cache;
using rc::detail::Connection;
using rc::detail::parse_url;
using rc::detail::Reply;
using rc_test::RedisServer;
using rc_test::TlsCerts;
using rc_test::TlsServerFiles;
using namespace std::chrono_literals;

int g_calls = 0;
int twice(int x) {
  return ++g_calls, 2 * x;
}

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TlsCerts(); }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override { g_calls = 0; }

  static std::string file(const std::string& name) { return certs_->path(name); }
  /// A TLS-only server presenting `cert` (server, wrong_host, expired, self_signed).
  static TlsServerFiles files(const std::string& cert = "server", bool auth_clients = false) {
    return {file(cert + ".crt"), file(cert + ".key"), file("ca.crt"), auth_clients};
  }
  static std::string ca() { return "tls_ca=" + file("ca.crt"); }

  static rc::Options opts(const std::string& url) {
    rc::Options o;
    o.url = url;
    o.connect_timeout = 2000ms;
    o.command_timeout = 2000ms;
    return o;
  }
  static Reply ping(Connection& c) {
    const std::array<std::string_view, 1> argv{"PING"};
    return c.command(argv);
  }

  /// The message of the E that connecting to url (and PING) throws.
  template <class E>
  static std::string failure(const std::string& url, std::chrono::milliseconds timeout = 2000ms) {
    rc::Options o = opts(url);
    o.connect_timeout = timeout;
    Connection c(parse_url(url, o));
    try {
      ping(c);
    } catch (const E& e) {
      EXPECT_FALSE(c.connected());
      return e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception type: " << e.what();
      return {};
    }
    ADD_FAILURE() << "no error connecting to " << url;
    return {};
  }

  static inline TlsCerts* certs_ = nullptr;
};

#define EXPECT_HAS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "no '" << (part) << "' in: " << (text)

TEST_F(Tls, CachedFunctionHitsMissesMgetInvalidateAndLock) {
  RedisServer server(files(), {});
  rc::RedisCache cache{opts(server.tls_url() + "?" + ca())};
  auto f = cache.cache<&twice>({.ttl = 60s, .limit = 10, .lock_timeout = 500ms});
  EXPECT_EQ(f(1), 2);  // miss: the stampede lock (SET NX PX), the FIFO script
  EXPECT_EQ(f(1), 2);  // hit
  EXPECT_EQ(f.mget({{1}, {2}, {3}}), (std::vector<int>{2, 4, 6}));
  EXPECT_EQ(g_calls, 3);
  EXPECT_EQ(f.stats().hits, 2u);
  EXPECT_EQ(server.cli({"EXISTS", f.key(3)}), "1");
  const std::string lock =
      rc::detail::keys::lock_key(rc::detail::Access::state(f).ns_prefix, f.key(1));
  EXPECT_EQ(server.cli({"EXISTS", lock}), "0");  // released
  EXPECT_TRUE(f.invalidate(3));
  EXPECT_EQ(server.cli({"EXISTS", f.key(3)}), "0");
  EXPECT_EQ(f.invalidate_all(), 2u);
  EXPECT_EQ(f.stats().errors, 0u);
}

TEST_F(Tls, AuthSelectPipelineAndSubscriberOverTls) {
  RedisServer server(files(), {"--requirepass", "s3cret"});
  const auto url = "rediss://:s3cret@127.0.0.1:" + std::to_string(server.port()) + "/3?" + ca();
  Connection c(parse_url(url, opts(url)));
  EXPECT_EQ(ping(c).str(), "PONG");
  const std::vector<std::vector<std::string_view>> cmds = {
      {"SET", "k", "v"}, {"GET", "k"}, {"INCR", "k"}, {"CLIENT", "GETNAME"}};
  const auto replies = c.pipeline(cmds);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[1].str(), "v");
  EXPECT_EQ(replies[2].type(), rc::detail::ReplyType::error);  // in place, not thrown
  EXPECT_EQ(replies[3].str(), "redis_cache");
  EXPECT_EQ(server.cli({"-n", "3", "GET", "k"}), "v");

  // A subscriber over TLS: nothing pending is nullopt; a published message arrives.
  Connection sub(parse_url(url, opts(url)));
  const std::array<std::string_view, 2> subscribe{"SUBSCRIBE", "news"};
  sub.send(subscribe);
  const auto confirm = sub.receive(2000ms);
  ASSERT_TRUE(confirm.has_value());
  EXPECT_FALSE(sub.receive(0ms).has_value());
  const std::array<std::string_view, 3> publish{"PUBLISH", "news", "hello"};
  EXPECT_EQ(c.command(publish).integer(), 1);
  const auto msg = sub.receive(2000ms);
  ASSERT_TRUE(msg.has_value());
  EXPECT_EQ((*msg)[2].str(), "hello");

  // A wrong password over TLS is an AuthError, as over TCP.
  const auto bad = "rediss://:nope@127.0.0.1:" + std::to_string(server.port()) + "?" + ca();
  Connection wrong(parse_url(bad, opts(bad)));
  EXPECT_THROW(ping(wrong), rc::AuthError);
}

TEST_F(Tls, OptionsTlsAndHostNameVerification) {
  RedisServer server(files(), {});
  // Options::tls instead of URL keys; "localhost" is checked against DNS:localhost.
  rc::Options o = opts("rediss://localhost:" + std::to_string(server.port()));
  o.tls.ca_file = file("ca.crt");
  rc::RedisCache cache{o};
  auto f = cache.cache<&twice>();
  EXPECT_EQ(f(5), 10);
  EXPECT_EQ(f(5), 10);
  EXPECT_EQ(f.stats().hits, 1u);
}

TEST_F(Tls, ServerRestartIsSurvivedWithoutSigpipe) {
  RedisServer server(files(), {});
  const auto url = server.tls_url() + "?" + ca();
  Connection c(parse_url(url, opts(url)));
  EXPECT_EQ(ping(c).str(), "PONG");
  server.kill();
  const std::string big(1 << 20, 'x');  // larger than the socket buffers
  const std::array<std::string_view, 3> set{"SET", "big", big};
  EXPECT_THROW(c.command(set), rc::ConnectionError);  // not a SIGPIPE
  EXPECT_THROW(c.command(set), rc::ConnectionError);
  server.start();
  EXPECT_EQ(ping(c).str(), "PONG");  // rebuilt: handshake again
}

TEST_F(Tls, MutualTls) {
  RedisServer server(files("server", /*auth_clients=*/true), {});
  const auto url = server.tls_url() + "?" + ca();
  const auto with = url + "&tls_cert=" + file("client.crt") + "&tls_key=" + file("client.key");
  Connection c(parse_url(with, opts(with)));
  EXPECT_EQ(ping(c).str(), "PONG");

  const auto none = failure<rc::TlsError>(url);
  EXPECT_HAS(none, "client certificate");
  EXPECT_HAS(none, "tls_cert");

  const auto stranger =
      url + "&tls_cert=" + file("other_client.crt") + "&tls_key=" + file("other_client.key");
  const auto rejected = failure<rc::TlsError>(stranger);
  EXPECT_HAS(rejected, "certificate");
}

TEST_F(Tls, UnknownCaAndSelfSignedAreTlsErrors) {
  RedisServer server(files(), {});
  const auto other = failure<rc::TlsError>(server.tls_url() + "?tls_ca=" + file("other_ca.crt"));
  EXPECT_HAS(other, "unknown CA");
  EXPECT_HAS(other, "tls_ca");
  EXPECT_HAS(other, "127.0.0.1:" + std::to_string(server.port()));
  // Without tls_ca the system's CAs are used, which do not know the test CA.
  EXPECT_HAS(failure<rc::TlsError>(server.tls_url()), "unknown CA");

  RedisServer self(files("self_signed"), {});
  const auto msg = failure<rc::TlsError>(self.tls_url() + "?" + ca());
  EXPECT_HAS(msg, "self-signed");
  // tls_verify=false accepts it (and anything else): the explicit opt-out.
  const auto insecure = self.tls_url() + "?tls_verify=false";
  Connection c(parse_url(insecure, opts(insecure)));
  EXPECT_EQ(ping(c).str(), "PONG");
}

TEST_F(Tls, HostNameMismatchNamesExpectedAndCertificateNames) {
  RedisServer server(files("wrong_host"), {});
  const auto msg = failure<rc::TlsError>(server.tls_url() + "?" + ca());
  EXPECT_HAS(msg, "host name mismatch");
  EXPECT_HAS(msg, "'127.0.0.1'");
  EXPECT_HAS(msg, "DNS:wrong.example.com");
  EXPECT_HAS(msg, "tls_sni");
  // tls_sni names what to verify (and send): then it matches.
  const auto url = server.tls_url() + "?" + ca() + "&tls_sni=wrong.example.com";
  Connection c(parse_url(url, opts(url)));
  EXPECT_EQ(ping(c).str(), "PONG");
}

TEST_F(Tls, ExpiredCertificateIsATlsError) {
  RedisServer server(files("expired"), {});
  const auto msg = failure<rc::TlsError>(server.tls_url() + "?" + ca());
  EXPECT_HAS(msg, "expired");
}

TEST_F(Tls, PlaintextServerOnRedissAndTlsServerOnRedis) {
  RedisServer plain;
  // The handshake meets a plaintext port: an error within the connect timeout, never a hang.
  const auto on_plain = failure<rc::TlsError>(
      "rediss://127.0.0.1:" + std::to_string(plain.port()) + "?" + ca(), 500ms);
  EXPECT_HAS(on_plain, "plaintext");
  EXPECT_HAS(on_plain, "redis://");

  RedisServer tls(files(), {});
  const auto on_tls =
      failure<rc::ConnectionError>("redis://127.0.0.1:" + std::to_string(tls.port()), 500ms);
  EXPECT_HAS(on_tls, "rediss://");
}

TEST_F(Tls, UnreadableOrNonPemFilesAreConfigErrorsAtConstruction) {
  const auto config_error = [](const std::string& url) -> std::string {
    try {
      rc::RedisCache cache{opts(url)};
    } catch (const rc::ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no ConfigError for " << url;
    return {};
  };
  const std::string base = "rediss://u:pa55word@127.0.0.1:1?";
  const auto missing = config_error(base + "tls_ca=" + file("missing.crt"));
  EXPECT_HAS(missing, file("missing.crt"));
  EXPECT_HAS(missing, "does not exist");
  const auto not_pem = config_error(base + "tls_ca=" + file("not_pem.txt"));
  EXPECT_HAS(not_pem, file("not_pem.txt"));
  EXPECT_HAS(not_pem, "PEM");
  const auto bad_key =
      config_error(base + "tls_cert=" + file("client.crt") + "&tls_key=" + file("not_pem.txt"));
  EXPECT_HAS(bad_key, "tls_key");
  EXPECT_HAS(bad_key, file("not_pem.txt"));
  const auto wrong_key =
      config_error(base + "tls_cert=" + file("client.crt") + "&tls_key=" + file("server.key"));
  EXPECT_HAS(wrong_key, "does not belong");
  for (const auto& m : {missing, not_pem, bad_key, wrong_key}) {
    EXPECT_EQ(m.find("pa55word"), std::string::npos) << m;
    EXPECT_EQ(m.find("PRIVATE KEY"), std::string::npos) << m;
  }
}

}  // namespace
