// The socket layer without a server: deadlines, and the refusal of a TCP
// connection that landed on its own socket.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include <gtest/gtest.h>

#include "client/socket.hpp"

namespace {

using redis_cache::detail::Deadline;
using redis_cache::detail::is_self_connect;
using namespace std::chrono_literals;

TEST(Deadline, ForeverPassedAndAfter) {
  EXPECT_EQ(Deadline::forever().poll_ms(), -1);
  EXPECT_EQ(Deadline::after(0ms).poll_ms(), -1);  // 0 = wait forever, as in the options
  EXPECT_EQ(Deadline::passed().poll_ms(), 0);
  const int left = Deadline::after(60s).poll_ms();
  EXPECT_GT(left, 0);
  EXPECT_LE(left, 60000);
}

TEST(SelfConnect, ASocketConnectedToItselfIsRecognised) {
  // Bind to a loopback port, then connect to that same address: TCP's
  // simultaneous open makes it a connection to itself, which is what a
  // client connecting to an ephemeral port nobody listens on can hit.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_TRUE(is_self_connect(fd));
  ::close(fd);

  // An ordinary connection is not one.
  const int server = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in srv{};
  srv.sin_family = AF_INET;
  srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  len = sizeof srv;
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&srv), sizeof srv), 0);
  ASSERT_EQ(::listen(server, 1), 0);
  ASSERT_EQ(::getsockname(server, reinterpret_cast<sockaddr*>(&srv), &len), 0);
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&srv), sizeof srv), 0);
  EXPECT_FALSE(is_self_connect(client));
  ::close(client);
  ::close(server);
}

}  // namespace
