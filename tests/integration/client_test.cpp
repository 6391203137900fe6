// The client layer against a real, private redis-server (tests/support):
// auth, SELECT, reconnects after restarts, timeouts on a paused server, the
// pool under threads and exhaustion, pipelines, scripts, error replies.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <redis_cache/errors.hpp>

#include "client/client.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace {

namespace rc = redis_cache;
using rc::detail::Argv;
using rc::detail::Connection;
using rc::detail::ConnectionConfig;
using rc::detail::Pool;
using rc::detail::Reply;
using rc::detail::ReplyType;
using rc::detail::StandaloneClient;
using rc_test::RedisServer;
using namespace std::chrono_literals;

ConnectionConfig config(const std::string& url, std::chrono::milliseconds command_timeout = 1000ms,
                        std::size_t pool_size = 4) {
  rc::Options o;
  o.connect_timeout = 1000ms;
  o.command_timeout = command_timeout;
  o.pool_size = pool_size;
  o.pool_wait_timeout = 2000ms;
  o.client_name = "rc-test";
  return rc::detail::parse_url(url, o);
}

template <class... S>
Reply cmd(Connection& c, S... parts) {
  const std::array<std::string_view, sizeof...(S)> argv{std::string_view(parts)...};
  return c.command(argv);
}

std::string str(const Reply& r) {
  return std::string(r.str());
}

TEST(Connection, CommandsOverTcpAndUnixSocket) {
  RedisServer srv;
  for (const auto& url : {srv.url(), srv.unix_url()}) {
    SCOPED_TRACE(url);
    Connection c(config(url));
    EXPECT_FALSE(c.connected());  // lazy
    EXPECT_EQ(str(cmd(c, "PING")), "PONG");
    EXPECT_TRUE(c.connected());
    EXPECT_EQ(cmd(c, "SET", "k", std::string_view("a\0b", 3)).type(), ReplyType::status);
    EXPECT_EQ(cmd(c, "GET", "k").str(), std::string_view("a\0b", 3));
    EXPECT_TRUE(cmd(c, "GET", "missing").is_nil());
    EXPECT_EQ(cmd(c, "DEL", "k").integer(), 1);
    cmd(c, "RPUSH", "l", "x", "y");
    const auto arr = cmd(c, "LRANGE", "l", "0", "-1");
    ASSERT_EQ(arr.size(), 2u);
    EXPECT_EQ(arr[1].str(), "y");
    cmd(c, "FLUSHDB");
  }
}

TEST(Connection, ManyArgumentsUseTheHeapPath) {
  RedisServer srv;
  Connection c(config(srv.url()));
  std::vector<std::string> items;
  for (int i = 0; i < 40; ++i) items.push_back("v" + std::to_string(i));
  std::vector<std::string_view> argv{"RPUSH", "big"};
  argv.insert(argv.end(), items.begin(), items.end());
  EXPECT_EQ(c.command(argv).integer(), 40);
  EXPECT_EQ(str(cmd(c, "LINDEX", "big", "39")), "v39");
}

TEST(Connection, SubscriberSendsAndReceivesPushedMessages) {
  RedisServer srv;
  Connection sub(config(srv.url()));
  Connection pub(config(srv.url()));
  EXPECT_THROW(sub.receive(0ms), rc::ConnectionError);  // nothing connected yet
  auto next = [&] {  // the next message, polled against a deadline
    std::optional<Reply> r;
    EXPECT_TRUE(rc_test::eventually([&] { return (r = sub.receive(100ms)).has_value(); }));
    return r;
  };
  const std::array<std::string_view, 2> subscribe{"SUBSCRIBE", "news"};
  sub.send(subscribe);
  const auto ack = next();
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(ack->size(), 3u);
  EXPECT_EQ(ack->operator[](0).str(), "subscribe");
  EXPECT_FALSE(sub.receive(0ms).has_value());  // nothing pending: no wait, no error
  EXPECT_EQ(cmd(pub, "PUBLISH", "news", "hello").integer(), 1);
  EXPECT_EQ(cmd(pub, "PUBLISH", "news", "again").integer(), 1);
  const auto first = next();
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ(first->operator[](2).str(), "hello");
  const auto second = next();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->operator[](2).str(), "again");
  const std::array<std::string_view, 1> ping{"PING"};
  sub.send(ping);  // in subscribed mode PING answers ["pong", ""]
  const auto pong = next();
  ASSERT_TRUE(pong.has_value());
  ASSERT_EQ(pong->size(), 2u);
  EXPECT_EQ(pong->operator[](0).str(), "pong");
  srv.stop();
  EXPECT_THROW(
      {
        for (;;) (void)sub.receive(1000ms);  // EOF once the server is gone
      },
      rc::ConnectionError);
  EXPECT_FALSE(sub.connected());
}

TEST(Auth, RequirePassRightAndWrong) {
  RedisServer srv({"--requirepass", "s3cret"});
  const std::string tail = "127.0.0.1:" + std::to_string(srv.port()) + "/0";

  Connection good(config("redis://s3cret@" + tail));
  EXPECT_EQ(str(cmd(good, "PING")), "PONG");

  Connection wrong(config("redis://nope@" + tail));
  EXPECT_THROW(cmd(wrong, "PING"), rc::AuthError);
  EXPECT_FALSE(wrong.connected());  // never handed out half set up

  Connection none(config("redis://" + tail));
  try {
    cmd(none, "PING");
    ADD_FAILURE() << "no error without a password";
  } catch (const rc::AuthError& e) {
    EXPECT_NE(std::string(e.what()).find("NOAUTH"), std::string::npos) << e.what();
  }
}

TEST(Auth, AclUserRightAndWrong) {
  RedisServer srv;
  srv.cli({"ACL", "SETUSER", "alice", "on", ">w%nder", "~*", "+@all"});
  const std::string tail = "@127.0.0.1:" + std::to_string(srv.port()) + "/0";

  Connection alice(config("redis://alice:w%25nder" + tail));  // percent-decoded
  EXPECT_EQ(str(cmd(alice, "ACL", "WHOAMI")), "alice");

  Connection wrong(config("redis://alice:wonder" + tail));
  try {
    cmd(wrong, "PING");
    ADD_FAILURE() << "no error for a wrong ACL password";
  } catch (const rc::AuthError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("alice"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(srv.port())), std::string::npos) << msg;
  }
}

TEST(Select, DatabasesAreIsolated) {
  RedisServer srv;
  Connection db1(config(srv.url(1)));
  Connection db2(config(srv.url(2)));
  cmd(db1, "SET", "shared-name", "one");
  EXPECT_TRUE(cmd(db2, "GET", "shared-name").is_nil());
  cmd(db2, "SET", "shared-name", "two");
  EXPECT_EQ(str(cmd(db1, "GET", "shared-name")), "one");
  EXPECT_EQ(srv.cli({"-n", "1", "GET", "shared-name"}), "one");
  EXPECT_EQ(srv.cli({"-n", "0", "EXISTS", "shared-name"}), "0");
}

TEST(Reconnect, ConnectionRecoversAfterServerRestart) {
  RedisServer srv;
  Connection c(config(srv.url()));
  EXPECT_EQ(str(cmd(c, "PING")), "PONG");
  srv.stop();
  srv.start();
  // The old socket is closed: the call retries once on a fresh connection.
  EXPECT_EQ(str(cmd(c, "PING")), "PONG");
  EXPECT_EQ(str(cmd(c, "PING")), "PONG");
}

TEST(Reconnect, WriteToDeadServerIsAnErrorNotSigpipe) {
  // A write to a socket the server reset raises SIGPIPE with write(), which
  // kills a process that does not ignore it. The connection sends with
  // send(MSG_NOSIGNAL): the write just fails.
  struct sigaction old {};
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &old), 0);
  ASSERT_EQ(old.sa_handler, SIG_DFL) << "this test needs SIGPIPE at its default";
  RedisServer srv;
  Connection c(config(srv.url()));
  cmd(c, "PING");
  srv.kill();
  const std::string big(16 << 20, 'x');  // several writes: the later ones see EPIPE
  EXPECT_THROW(cmd(c, "SET", "big", big), rc::ConnectionError);
  EXPECT_THROW(cmd(c, "SET", "big", big), rc::ConnectionError);
  srv.start();
  EXPECT_EQ(str(cmd(c, "SET", "big", big)), "OK");
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
}

TEST(Reconnect, DownServerGivesConnectionErrorThenRecovers) {
  RedisServer srv;
  Connection c(config(srv.url()));
  cmd(c, "PING");
  srv.kill();
  for (int i = 0; i < 2; ++i) {
    try {
      cmd(c, "PING");
      ADD_FAILURE() << "no error while the server is down";
    } catch (const rc::ConnectionError& e) {
      EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(srv.port())),
                std::string::npos)
          << e.what();
    }
  }
  srv.start();
  EXPECT_EQ(str(cmd(c, "PING")), "PONG");
}

TEST(Reconnect, PooledClientNeedsNoRetryAfterRestart) {
  RedisServer srv({"--requirepass", "pw"});
  StandaloneClient client(config("redis://pw@127.0.0.1:" + std::to_string(srv.port()) + "/3"));
  const std::array<std::string_view, 3> set{"SET", "k", "before"};
  client.command("k", set);
  srv.kill();
  srv.start();  // empty again: no persistence
  // The idle pooled connection is seen to be closed and rebuilt (AUTH, SELECT 3).
  const std::array<std::string_view, 3> set2{"SET", "k", "after"};
  EXPECT_EQ(client.command("k", set2).type(), ReplyType::status);
  EXPECT_EQ(srv.cli({"-n", "3", "GET", "k"}), "after");
  EXPECT_NE(srv.cli({"CLIENT", "LIST"}).find("name=rc-test"), std::string::npos);
}

TEST(Timeout, PausedServerGivesTimeoutError) {
  RedisServer srv;
  Connection c(config(srv.url(), 300ms));
  cmd(c, "PING");
  srv.pause();
  const auto t0 = std::chrono::steady_clock::now();
  try {
    cmd(c, "PING");
    ADD_FAILURE() << "no timeout from a paused server";
  } catch (const rc::TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  // The point is that it returns at all; how fast is for the reader.
  std::printf("[ diagnostic ] timed out after %lld ms (command_timeout 300 ms)\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - t0)
                                         .count()));
  EXPECT_FALSE(c.connected());
  // A fresh connection to the paused server also times out (during set-up).
  Connection fresh(config(srv.url(), 300ms));
  EXPECT_THROW(cmd(fresh, "PING"), rc::TimeoutError);
  srv.resume();
  EXPECT_EQ(str(cmd(c, "PING")), "PONG");
  EXPECT_EQ(str(cmd(fresh, "PING")), "PONG");
}

TEST(Pool, FourConnectionsServeEightThreads) {
  RedisServer srv;
  StandaloneClient client(config(srv.url(), 2000ms, 4));
  constexpr int kThreads = 8;
  constexpr int kOps = 300;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "own:" + std::to_string(t);
      for (int i = 0; i < kOps; ++i) {
        try {
          const std::array<std::string_view, 2> incr{"INCR", "counter"};
          client.command("counter", incr);
          const std::string value = std::to_string(i);
          const std::array<std::string_view, 3> set{"SET", key, value};
          client.command(key, set);
          const std::array<std::string_view, 2> get{"GET", key};
          if (client.command(key, get).str() != value) ++failures;
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(srv.cli({"GET", "counter"}), std::to_string(kThreads * kOps));
  // At most pool_size connections were ever opened.
  const std::string list = srv.cli({"CLIENT", "LIST"});
  std::size_t named = 0;
  for (auto pos = list.find("name=rc-test"); pos != std::string::npos;
       pos = list.find("name=rc-test", pos + 1)) {
    ++named;
  }
  EXPECT_GE(named, 1u);
  EXPECT_LE(named, 4u);
}

TEST(Pool, ExhaustionGivesPoolTimeoutThenRecovers) {
  RedisServer srv;
  auto cfg = config(srv.url(), 1000ms, 2);
  cfg.pool_wait_timeout = 100ms;
  Pool pool(cfg);
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    try {
      (void)pool.acquire();
      ADD_FAILURE() << "no PoolTimeout with every connection borrowed";
    } catch (const rc::PoolTimeout& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("pool_size"), std::string::npos) << msg;
      EXPECT_NE(msg.find(std::to_string(srv.port())), std::string::npos) << msg;
    }
  }
  auto again = pool.acquire();
  EXPECT_EQ(again->command(std::array<std::string_view, 1>{"PING"}).str(), "PONG");
}

TEST(Pool, WaiterGetsTheConnectionAnotherThreadReturns) {
  RedisServer srv;
  auto cfg = config(srv.url(), 1000ms, 1);
  cfg.pool_wait_timeout = 5000ms;
  Pool pool(cfg);
  auto held = pool.acquire();
  std::atomic<pid_t> waiter{0};
  std::thread giver([&, lease = std::move(held)]() mutable {
    // Gives the connection back once the waiter sleeps in acquire().
    EXPECT_TRUE(rc_test::eventually(
        [&] { return waiter != 0 && rc_test::thread_is_sleeping(waiter.load()); }));
    auto drop = std::move(lease);
  });
  waiter = rc_test::this_thread_id();
  auto c = pool.acquire();  // blocks until the giver's lease is destroyed
  giver.join();
  EXPECT_EQ(c->command(std::array<std::string_view, 1>{"PING"}).str(), "PONG");
}

TEST(Pool, BrokenConnectionIsNotReturnedBroken) {
  RedisServer srv;
  Pool pool(config(srv.url(), 300ms, 1));
  srv.pause();
  EXPECT_THROW(pool.acquire()->command(std::array<std::string_view, 1>{"PING"}), rc::TimeoutError);
  srv.resume();
  auto lease = pool.acquire();  // the same (only) connection, rebuilt on use
  EXPECT_EQ(lease->command(std::array<std::string_view, 1>{"PING"}).str(), "PONG");
}

TEST(Pipeline, RepliesInOrderWithErrorsInPlace) {
  RedisServer srv;
  StandaloneClient client(config(srv.url()));
  const std::vector<std::vector<std::string_view>> cmds = {
      {"SET", "p", "1"}, {"INCR", "p"}, {"LPUSH", "p", "x"}, {"GET", "p"}, {"GET", "none"}};
  const auto replies = client.pipeline("p", cmds);
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_EQ(replies[0].str(), "OK");
  EXPECT_EQ(replies[1].integer(), 2);
  EXPECT_EQ(replies[2].type(), ReplyType::error);
  EXPECT_NE(replies[2].str().find("WRONGTYPE"), std::string_view::npos);
  EXPECT_EQ(replies[3].str(), "2");
  EXPECT_TRUE(replies[4].is_nil());
  EXPECT_TRUE(client.pipeline("p", {}).empty());
}

TEST(Script, EvalShaFallsBackToEvalAfterFlush) {
  RedisServer srv;
  StandaloneClient client(config(srv.url()));
  const rc::detail::Script script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  EXPECT_EQ(srv.cli({"SCRIPT", "LOAD", script.body()}), script.sha1());  // our SHA1 = Redis's
  srv.cli({"SCRIPT", "FLUSH"});
  const std::array<std::string_view, 1> keys{"n"};
  const std::array<std::string_view, 1> args{"5"};
  EXPECT_EQ(client.eval("n", script, keys, args).integer(), 5);  // NOSCRIPT -> EVAL
  EXPECT_EQ(srv.cli({"SCRIPT", "EXISTS", script.sha1()}), "1");
  EXPECT_EQ(client.eval("n", script, keys, args).integer(), 10);  // EVALSHA hits
  srv.cli({"SCRIPT", "FLUSH"});
  EXPECT_EQ(client.eval("n", script, keys, args).integer(), 15);
  // Script errors are reply errors, not NOSCRIPT loops.
  const rc::detail::Script bad("return redis.call('NOPE')");
  EXPECT_THROW(client.eval("n", bad, keys, args), rc::ReplyError);
}

TEST(ClientName, VisibleInClientListAndReappliedAfterRestart) {
  RedisServer srv;
  auto cfg = config(srv.url());
  cfg.client_name = "rc-name-check";
  Connection c(cfg);
  cmd(c, "PING");
  EXPECT_NE(srv.cli({"CLIENT", "LIST"}).find("name=rc-name-check"), std::string::npos);
  EXPECT_EQ(str(cmd(c, "CLIENT", "GETNAME")), "rc-name-check");
  srv.kill();
  srv.start();
  EXPECT_EQ(str(cmd(c, "CLIENT", "GETNAME")), "rc-name-check");
}

TEST(ErrorReplies, WrongTypeIsReplyErrorAndConnectionSurvives) {
  RedisServer srv;
  Connection c(config(srv.url()));
  cmd(c, "RPUSH", "list", "x");
  try {
    cmd(c, "GET", "list");
    ADD_FAILURE() << "no error for GET on a list";
  } catch (const rc::ReplyError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("WRONGTYPE"), std::string::npos) << msg;
    EXPECT_NE(msg.find("GET on 127.0.0.1:"), std::string::npos) << msg;
  }
  EXPECT_TRUE(c.connected());
  EXPECT_EQ(str(cmd(c, "PING")), "PONG");
  EXPECT_THROW(cmd(c, "NOSUCHCOMMAND"), rc::ReplyError);
}

TEST(ErrorReplies, WithNodeRunsOnAPooledConnection) {
  RedisServer srv;
  StandaloneClient client(config(srv.url()));
  std::string seen;
  client.with_node("k", [&](Connection& c) { seen = str(cmd(c, "PING")); });
  EXPECT_EQ(seen, "PONG");
  EXPECT_EQ(client.describe(), "127.0.0.1:" + std::to_string(srv.port()));
}

}  // namespace
