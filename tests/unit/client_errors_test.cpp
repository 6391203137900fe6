// Client-layer pieces that need no server: error mapping (hiredis codes and
// error replies → redis_cache::Error subclasses) and the SHA1 of scripts.
#include <cerrno>
#include <string>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <redis_cache/errors.hpp>

#include "client/connection.hpp"
#include "client/script.hpp"

namespace {

namespace rc = redis_cache;
using rc::detail::throw_hiredis_error;
using rc::detail::throw_reply_error;

template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "nothing thrown";
  return {};
}

TEST(ReplyErrorMapping, ClusterRedirectsAndTransients) {
  const auto moved = message_of<rc::MovedError>(
      [] { throw_reply_error("MOVED 3999 127.0.0.1:6381", "GET on h:1"); });
  EXPECT_NE(moved.find("MOVED 3999 127.0.0.1:6381"), std::string::npos);
  EXPECT_NE(moved.find("GET on h:1"), std::string::npos);
  EXPECT_NE(moved.find("redis+cluster://"), std::string::npos);
  message_of<rc::AskError>([] { throw_reply_error("ASK 3999 127.0.0.1:6381", "GET"); });
  message_of<rc::CrossSlotError>(
      [] { throw_reply_error("CROSSSLOT Keys in request don't hash to the same slot", "MGET"); });
  message_of<rc::TryAgainError>([] { throw_reply_error("TRYAGAIN Multiple keys", "MGET"); });
  message_of<rc::TryAgainError>([] { throw_reply_error("CLUSTERDOWN The cluster is down", "x"); });
  message_of<rc::TryAgainError>(
      [] { throw_reply_error("LOADING Redis is loading the dataset in memory", "x"); });
}

TEST(ReplyErrorMapping, ScriptsAuthAndOthers) {
  message_of<rc::NoScriptError>(
      [] { throw_reply_error("NOSCRIPT No matching script. Please use EVAL.", "EVALSHA"); });
  message_of<rc::AuthError>(
      [] { throw_reply_error("WRONGPASS invalid username-password pair", "AUTH"); });
  message_of<rc::AuthError>([] { throw_reply_error("NOAUTH Authentication required.", "GET"); });
  const auto wrongtype = message_of<rc::ReplyError>([] {
    throw_reply_error("WRONGTYPE Operation against a key holding the wrong kind of value", "GET");
  });
  EXPECT_NE(wrongtype.find("WRONGTYPE"), std::string::npos);
  // A prefix only counts as a whole word.
  EXPECT_THROW(throw_reply_error("MOVEDX nope", "x"), rc::ReplyError);
  try {
    throw_reply_error("MOVEDX nope", "x");
  } catch (const rc::MovedError&) {
    ADD_FAILURE() << "MOVEDX is not MOVED";
  } catch (const rc::ReplyError&) {
  }
}

TEST(HiredisErrorMapping, CodesToClasses) {
  const auto timeout = message_of<rc::TimeoutError>([] {
    throw_hiredis_error(REDIS_ERR_IO, "Resource temporarily unavailable", EAGAIN, "h:1", "GET");
  });
  EXPECT_NE(timeout.find("h:1"), std::string::npos);
  EXPECT_NE(timeout.find("command_timeout"), std::string::npos);
  message_of<rc::TimeoutError>(
      [] { throw_hiredis_error(REDIS_ERR_IO, "Connection timed out", 0, "h:1", "connect"); });
  const auto closed = message_of<rc::ClosedError>(
      [] { throw_hiredis_error(REDIS_ERR_EOF, "Server closed the connection", 0, "h:1", "GET"); });
  EXPECT_NE(closed.find("h:1"), std::string::npos);
  message_of<rc::ClosedError>(
      [] { throw_hiredis_error(REDIS_ERR_IO, "Connection reset by peer", ECONNRESET, "h", "x"); });
  message_of<rc::ProtocolError>(
      [] { throw_hiredis_error(REDIS_ERR_PROTOCOL, "Protocol error, got \"H\"", 0, "h", "GET"); });
  const auto refused = message_of<rc::ConnectionError>([] {
    throw_hiredis_error(REDIS_ERR_IO, "Connection refused", ECONNREFUSED, "h:1", "connect");
  });
  EXPECT_NE(refused.find("connect on h:1"), std::string::npos);
  EXPECT_NE(refused.find("Connection refused"), std::string::npos);
  message_of<rc::ConnectionError>([] {
    throw_hiredis_error(REDIS_ERR_OTHER, "Name or service not known", 0, "x:1", "connect");
  });
}

TEST(Sha1, KnownVectors) {
  EXPECT_EQ(rc::detail::sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(rc::detail::sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(rc::detail::sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(rc::detail::sha1_hex(std::string(1000000, 'a')),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  EXPECT_EQ(rc::detail::Script("return 1").sha1(), rc::detail::sha1_hex("return 1"));
}

TEST(Sha1, BlockBoundaries) {
  // 55, 56 and 64 bytes exercise the padding branches.
  EXPECT_EQ(rc::detail::sha1_hex(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(rc::detail::sha1_hex(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(rc::detail::sha1_hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

}  // namespace
