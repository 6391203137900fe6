// The redis-cache tool on a namespace of 200k keys: exact counts from ls and stats, rm
// removing all of them in batches of UNLINK, and progress lines on stderr with --progress
// (never without it when stderr is no terminal, as here).
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/json/src.hpp>  // Boost.JSON header-only: its one TU in cli_scan_test

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli_support.hpp"
#include "support/redis_server.hpp"

namespace rc = redis_cache;
namespace json = boost::json;

namespace cli_scan {
int bulk(int x) {
  return 3 * x;
}
}  // namespace cli_scan

namespace {

using rc_cli_test::CliRun;

constexpr std::size_t kBulk = 200'000;

/// Writes n value keys "<ns_prefix><hex>:<8 digits>" (valid key shapes; the arguments
/// segment does not decode, which ls and rm do not need) in a few server-side loops:
/// the odd ones with a TTL of a day, the even ones without.
void fill(const rc_test::RedisServer& server, const std::string& value_prefix, std::size_t n) {
  const std::string script = R"(
    for i = tonumber(ARGV[2]), tonumber(ARGV[3]) do
      local k = ARGV[1] .. string.format('%08d', i)
      if i % 2 == 1 then redis.call('SET', k, 'x', 'EX', 86400) else redis.call('SET', k, 'x') end
    end
    return 0)";
  constexpr std::size_t step = 50'000;
  for (std::size_t first = 0; first < n; first += step) {
    const std::size_t last = std::min(n, first + step) - 1;
    server.cli({"EVAL", script, "0", value_prefix, std::to_string(first), std::to_string(last)});
  }
}

constexpr std::string_view kClear = "\r\033[K";  // back to the line's start, erase it

/// The numbers of the progress lines on stderr that start with `what`: "\r\033[K<what>: N".
std::vector<std::size_t> progress_counts(const std::string& err, const std::string& what) {
  std::vector<std::size_t> out;
  const std::string head = std::string(kClear) + what + ": ";
  for (auto at = err.find(head); at != std::string::npos; at = err.find(head, at + 1)) {
    std::size_t n = 0;
    const char* p = err.data() + at + head.size();
    const auto [end, ec] = std::from_chars(p, err.data() + err.size(), n);
    if (ec == std::errc() && end != p) out.push_back(n);
  }
  return out;
}

/// stderr without the progress lines and the sequences that clear them. A progress line
/// is "\r\033[K<text>" up to the next "\r"; a message after the last clear ends in "\n".
std::string without_progress(const std::string& err) {
  std::string out;
  for (std::size_t i = 0; i < err.size();) {
    if (err.compare(i, kClear.size(), kClear) == 0) {
      i += kClear.size();
      const auto end = err.find_first_of("\r\n", i);
      if (end != std::string::npos && err[end] == '\r') i = end;  // a progress line's text
      continue;
    }
    out += err[i++];
  }
  return out;
}

class CliScan : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new rc_test::RedisServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static CliRun run(const std::vector<std::string>& args) {
    return rc_cli_test::run_cli(*server_, args);
  }
  static const json::object* find_ns(const json::value& ls, const std::string& ns) {
    for (const auto& n : ls.at("namespaces").as_array())
      if (n.at("ns").as_string() == ns) return &n.as_object();
    return nullptr;
  }
  static long long unlink_calls() {
    const std::string info = server_->cli({"INFO", "commandstats"});
    const auto at = info.find("cmdstat_unlink:calls=");
    return at == std::string::npos ? 0 : std::stoll(info.substr(at + 21));
  }
  static rc_test::RedisServer* server_;
};

rc_test::RedisServer* CliScan::server_ = nullptr;

TEST_F(CliScan, LsStatsAndRmCountTwoHundredThousandKeysExactlyWithProgressOnlyWhenAsked) {
  rc::RedisCache cache{{.url = server_->url()}};
  auto bulk = cache.cache<&cli_scan::bulk>({.ns = "cli.bulk"});
  bulk(1), bulk(2);  // two real entries and the schema note
  const std::string hex(rc::RedisCache::schema_fingerprint_of<decltype(cli_scan::bulk)>());
  const std::string prefix = "{rc:cli.bulk}:" + hex + ":";
  const auto filled_from = std::chrono::steady_clock::now();
  fill(*server_, prefix, kBulk);
  server_->cli({"DEL", prefix + "00000000"});
  server_->cli({"HSET", prefix + "00000000", "f", "v"});  // not a cached value
  ASSERT_EQ(server_->cli({"DBSIZE"}), std::to_string(kBulk + 3));
  const std::size_t entries = kBulk - 1 + 2;  // the hash is no entry
  const std::string wrong =
      "redis-cache: 'cli.bulk' holds 1 hash where cached values belong; not counted as an "
      "entry (redis-cache keys 'cli.bulk' shows which)\n";

  // ls without --progress: stderr (no terminal) holds nothing but the note on the hash.
  CliRun r = run({"ls", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, wrong);
  json::value v = r.json();
  const auto* ns = find_ns(v, "cli.bulk");
  ASSERT_NE(ns, nullptr) << r.out;
  EXPECT_EQ(ns->at("entries").to_number<std::size_t>(), entries);
  EXPECT_EQ(ns->at("wrong_type").to_number<std::size_t>(), 1u);
  // Even i without expiry (0 is the hash), and the two real entries.
  EXPECT_EQ(ns->at("no_expiry").to_number<std::size_t>(), kBulk / 2 - 1 + 2);
  // The largest TTL is a day minus the seconds since the keys were written (Redis rounds
  // TTL to the nearest second, so a loaded machine may already show 86399).
  const auto since_fill = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::steady_clock::now() - filled_from)
                              .count();
  EXPECT_LE(ns->at("ttl_max").to_number<long long>(), 86400);
  EXPECT_GE(ns->at("ttl_max").to_number<long long>(), 86400 - since_fill - 1);
  EXPECT_EQ(ns->at("schemas").as_array().size(), 1u);

  // ls --progress: the table as without, and progress lines rewritten in place, counting
  // up to at most every key under the prefix, then cleared.
  r = run({"ls", "--progress"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto at = r.out.find("\ncli.bulk ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string row = r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
  EXPECT_NE(row.find(" " + std::to_string(entries) + "  "), std::string::npos) << r.out;
  auto counts = progress_counts(r.err, "scanning {rc:*");
  ASSERT_FALSE(counts.empty()) << r.err;
  EXPECT_TRUE(std::is_sorted(counts.begin(), counts.end()));
  EXPECT_LE(counts.back(), kBulk + 3);
  EXPECT_EQ(without_progress(r.err), wrong);
  ASSERT_GE(r.err.size(), wrong.size() + kClear.size());
  EXPECT_EQ(r.err.substr(r.err.size() - wrong.size() - kClear.size(), kClear.size()), kClear);

  // stats: the same count, with progress when asked.
  r = run({"stats", "--json", "--progress"});
  ASSERT_EQ(r.code, 0) << r.err;
  v = r.json();
  ns = find_ns(v, "cli.bulk");
  ASSERT_NE(ns, nullptr) << r.out;
  EXPECT_EQ(ns->at("entries").to_number<std::size_t>(), entries);
  EXPECT_FALSE(progress_counts(r.err, "scanning {rc:*").empty()) << r.err;
  EXPECT_EQ(without_progress(r.err), wrong);

  // rm: every key (values, the hash, the note) in batches of UNLINK, counted as it goes.
  server_->cli({"CONFIG", "RESETSTAT"});
  r = run({"rm", "cli.bulk", "--yes", "--json", "--progress"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("removed").to_number<std::size_t>(), kBulk + 3);
  EXPECT_EQ(server_->cli({"DBSIZE"}), "0");
  const std::string total = " of " + std::to_string(kBulk + 3) + " keys (";
  counts = progress_counts(r.err, "removing 'cli.bulk'");
  ASSERT_FALSE(counts.empty()) << r.err;
  EXPECT_TRUE(std::is_sorted(counts.begin(), counts.end()));
  EXPECT_LE(counts.back(), kBulk + 3);
  EXPECT_NE(r.err.find(total), std::string::npos) << r.err;
  EXPECT_EQ(without_progress(r.err), "");
  EXPECT_TRUE(r.err.ends_with(kClear));
  // No command removed more than 500 keys: the server is never blocked for long.
  EXPECT_GE(unlink_calls(), static_cast<long long>((kBulk + 3) / 500));
}

TEST_F(CliScan, LsAndStatsCountKeysOfAnotherRedisTypeApart) {
  rc::RedisCache cache{{.url = server_->url()}};
  auto bulk = cache.cache<&cli_scan::bulk>({.ns = "cli.wrong"});
  bulk(1), bulk(2), bulk(3), bulk(4);
  server_->cli({"DEL", bulk.key(1), bulk.key(2), bulk.key(3)});
  server_->cli({"HSET", bulk.key(1), "f", "v"});
  server_->cli({"RPUSH", bulk.key(2), "a"});
  server_->cli({"RPUSH", bulk.key(3), "b"});
  const std::string wrong =
      "redis-cache: 'cli.wrong' holds 1 hash and 2 lists where cached values belong; not "
      "counted as entries (redis-cache keys 'cli.wrong' shows which)\n";
  for (const std::string cmd : {"ls", "stats"}) {
    const CliRun r = run({cmd, "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, wrong) << cmd;
    const json::value v = r.json();
    const auto* ns = find_ns(v, "cli.wrong");
    ASSERT_NE(ns, nullptr) << r.out;
    EXPECT_EQ(ns->at("entries").to_number<int>(), 1) << cmd;
    EXPECT_EQ(ns->at("wrong_type").to_number<int>(), 3) << cmd;
    EXPECT_EQ(ns->at("no_expiry").to_number<int>(), 1) << cmd;
  }
  const CliRun r = run({"ls"});
  std::istringstream table(r.out);
  std::string name, entries;
  for (std::string line; std::getline(table, line);)
    if (line.starts_with("cli.wrong ")) std::istringstream(line) >> name >> entries;
  EXPECT_EQ(entries, "1") << r.out;
  EXPECT_EQ(run({"rm", "cli.wrong", "--yes"}).out, "removed 5 keys of cli.wrong\n");
}

TEST_F(CliScan, RmWithoutProgressWritesOnlyItsCount) {
  rc::RedisCache cache{{.url = server_->url()}};
  auto bulk = cache.cache<&cli_scan::bulk>({.ns = "cli.bulk.small"});
  bulk(1);
  fill(*server_,
       "{rc:cli.bulk.small}:" +
           std::string(rc::RedisCache::schema_fingerprint_of<decltype(cli_scan::bulk)>()) + ":",
       3000);
  CliRun r = run({"rm", "cli.bulk.small", "--yes"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "removed 3002 keys of cli.bulk.small\n");  // + the real entry and the note
  EXPECT_EQ(r.err, "");
  r = run({"ls", "--progress", "--no-progress"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--no-progress"), std::string::npos) << r.err;
}

}  // namespace
