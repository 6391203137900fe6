// CLUSTER SLOTS replies read without a server: the replies are built from RESP
// bytes with hiredis's reader, as a connection would receive them.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <redis_cache/errors.hpp>

#include "client/cluster_protocol.hpp"

namespace {

namespace rc = redis_cache;
namespace rd = redis_cache::detail;

// RESP2 building blocks.
std::string num(long long v) {
  return ":" + std::to_string(v) + "\r\n";
}
std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
std::string nil() {
  return "$-1\r\n";
}
std::string arr(const std::vector<std::string>& elements) {
  std::string out = "*" + std::to_string(elements.size()) + "\r\n";
  for (const auto& e : elements) out += e;
  return out;
}
/// One entry as Redis 7 writes it: [first, last, [host, port, id, []], replicas...].
std::string range(long long first, long long last, const std::string& master,
                  const std::vector<std::string>& replicas = {}) {
  std::vector<std::string> e{num(first), num(last), master};
  e.insert(e.end(), replicas.begin(), replicas.end());
  return arr(e);
}
std::string node(const std::string& host, int port, std::string_view id = "0123abcd") {
  return arr({bulk(host), num(port), bulk(id), arr({})});
}

rd::Reply read(const std::string& bytes) {
  const std::unique_ptr<redisReader, decltype(&redisReaderFree)> reader(redisReaderCreate(),
                                                                        &redisReaderFree);
  void* out = nullptr;
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK ||
      redisReaderGetReply(reader.get(), &out) != REDIS_OK || out == nullptr) {
    ADD_FAILURE() << "not one complete RESP reply: " << bytes;
  }
  return rd::Reply(static_cast<redisReply*>(out));
}

rd::SlotTable parse(const std::string& bytes) {
  return rd::parse_cluster_slots(read(bytes), "10.0.0.9", "10.0.0.9:7000");
}

TEST(ClusterSlotsReply, ThreeMastersWithReplicas) {
  const auto t = parse(arr({
      range(0, 5460, node("10.0.0.1", 7000), {node("10.0.0.4", 7003)}),
      range(5461, 10922, node("10.0.0.2", 7001), {node("10.0.0.5", 7004)}),
      range(10923, 16383, node("10.0.0.3", 7002), {node("10.0.0.6", 7005)}),
  }));
  ASSERT_EQ(t.masters.size(), 3u);
  EXPECT_EQ(t.masters[0], (rd::NodeAddress{"10.0.0.1", 7000}));
  EXPECT_EQ(t.masters[1], (rd::NodeAddress{"10.0.0.2", 7001}));
  EXPECT_EQ(t.masters[2], (rd::NodeAddress{"10.0.0.3", 7002}));
  EXPECT_EQ(t.covered, rd::kClusterSlots);
  EXPECT_EQ(t.slots[0], 0);
  EXPECT_EQ(t.slots[5460], 0);
  EXPECT_EQ(t.slots[5461], 1);
  EXPECT_EQ(t.slots[10922], 1);
  EXPECT_EQ(t.slots[10923], 2);
  EXPECT_EQ(t.slots[16383], 2);
}

TEST(ClusterSlotsReply, AMasterWithSeveralRangesIsListedOnce) {
  const auto t = parse(arr({
      range(0, 99, node("10.0.0.1", 7000)),
      range(100, 100, node("10.0.0.2", 7001)),
      range(101, 16383, node("10.0.0.1", 7000)),
  }));
  ASSERT_EQ(t.masters.size(), 2u);
  EXPECT_EQ(t.slots[99], 0);
  EXPECT_EQ(t.slots[100], 1);
  EXPECT_EQ(t.slots[101], 0);
  EXPECT_EQ(t.covered, rd::kClusterSlots);
}

TEST(ClusterSlotsReply, NilOrEmptyHostIsTheNodeAsked) {
  const auto t = parse(arr({
      range(0, 9, arr({nil(), num(7000), bulk("id")})),
      range(10, 19, node("", 7001)),
  }));
  ASSERT_EQ(t.masters.size(), 2u);
  EXPECT_EQ(t.masters[0], (rd::NodeAddress{"10.0.0.9", 7000}));
  EXPECT_EQ(t.masters[1], (rd::NodeAddress{"10.0.0.9", 7001}));
}

TEST(ClusterSlotsReply, UnknownEndpointLeavesItsSlotsUnassigned) {
  const auto t = parse(arr({
      range(0, 9, node("?", 7000)),
      range(10, 16383, node("10.0.0.1", 7001)),
  }));
  ASSERT_EQ(t.masters.size(), 1u);
  EXPECT_EQ(t.slots[0], rd::SlotTable::kNone);
  EXPECT_EQ(t.slots[9], rd::SlotTable::kNone);
  EXPECT_EQ(t.slots[10], 0);
  EXPECT_EQ(t.covered, rd::kClusterSlots - 10);
}

TEST(ClusterSlotsReply, NoRangesCoverNothing) {
  const auto t = parse(arr({}));
  EXPECT_TRUE(t.masters.empty());
  EXPECT_EQ(t.covered, 0u);
  EXPECT_EQ(t.slots[0], rd::SlotTable::kNone);
  EXPECT_EQ(t.slots[16383], rd::SlotTable::kNone);
}

TEST(ClusterSlotsReply, MalformedRepliesNameTheNodeTheEntryAndTheFault) {
  const std::string good = range(0, 9, node("10.0.0.1", 7000));
  struct Case {
    std::string bytes;
    std::string_view says;
  };
  const std::vector<Case> cases{
      {bulk("OK"), "returned no array"},
      {"-ERR This instance has cluster support disabled\r\n", "returned no array"},
      {arr({good, num(3)}), "entry 1 is not an array of at least 3"},
      {arr({arr({num(0), num(9)})}), "entry 0 is not an array of at least 3"},
      {arr({range(9, 0, node("h", 7000))}), "entry 0 has the slot range 9..0"},
      {arr({range(-1, 9, node("h", 7000))}), "entry 0 has the slot range -1..9"},
      {arr({range(0, 16384, node("h", 7000))}), "entry 0 has the slot range 0..16384"},
      {arr({arr({bulk("0"), num(9), node("h", 7000)})}), "slot range that is not two integers"},
      {arr({range(0, 9, bulk("h:7000"))}), "master that is not an array"},
      {arr({range(0, 9, arr({bulk("h")}))}), "master that is not an array"},
      {arr({range(0, 9, arr({num(1), num(7000)}))}), "host that is neither a string nor NIL"},
      {arr({range(0, 9, node("h", 0))}), "port that is not an integer in 1..65535"},
      {arr({range(0, 9, node("h", 65536))}), "port that is not an integer in 1..65535"},
      {arr({range(0, 9, arr({bulk("h"), bulk("7000")}))}), "port that is not an integer"},
  };
  for (const auto& c : cases) {
    try {
      (void)parse(c.bytes);
      ADD_FAILURE() << "no ProtocolError for " << c.bytes;
    } catch (const rc::ProtocolError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("10.0.0.9:7000"), std::string::npos) << msg;
      EXPECT_NE(msg.find(c.says), std::string::npos) << msg;
    }
  }
}

}  // namespace
