// The library next to raw hiredis, in one run, on a private redis-server
// (loopback TCP). Each pair does the same Redis work; the table printed at the
// end gives ns per call for both and the ratio raw / library (1.00 = as fast
// as hand-written hiredis code; higher is better for the library).
//
//   bash tools/bench.sh        (builds in release mode and runs this)
#include <redis_cache/redis_cache.hpp>

#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "cache_scripts.hpp"
#include "client/script.hpp"
#include "support/redis_server.hpp"
#include "support/tls_certs.hpp"

#include "access.hpp"
#include "bench_user.hpp"
#include "count_allocs.hpp"

namespace rc = redis_cache;

namespace {

rc_test::RedisServer* g_server = nullptr;
std::unique_ptr<rc::RedisCache> g_cache;
std::atomic<std::int64_t> g_next_id{1'000'000};

using Users = rc::Cached<&load_user>;
std::unique_ptr<Users> g_users_nolimit, g_users_limit;
std::unique_ptr<rc::RedisCache> g_tls_cache;  // the same server's data, over rediss://
std::unique_ptr<Users> g_users_tls;

struct Ctx {
  redisContext* c = nullptr;
  Ctx() {
    c = redisConnect("127.0.0.1", g_server->port());
    if (c == nullptr || c->err) {
      std::fprintf(stderr, "bench: cannot connect\n");
      std::exit(2);
    }
  }
  ~Ctx() { redisFree(c); }
};
redisContext* raw() {
  thread_local Ctx ctx;
  return ctx.c;
}

redisReply* cmd(redisContext* c, std::initializer_list<std::string_view> args) {
  const char* argv[16];
  size_t lens[16];
  int n = 0;
  for (auto a : args) {
    argv[n] = a.data();
    lens[n++] = a.size();
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, n, argv, lens));
  if (r == nullptr) {
    std::fprintf(stderr, "bench: %s\n", c->errstr);
    std::exit(2);
  }
  return r;
}

void allocs(benchmark::State& s, std::uint64_t start) {
  s.counters["allocs/op"] = benchmark::Counter(static_cast<double>(g_allocs.load() - start) /
                                               static_cast<double>(s.iterations()));
}

// -- hit ------------------------------------------------------------------------
void lib_hit(benchmark::State& s) {
  auto& f = *g_users_nolimit;
  f(7);
  const auto a = g_allocs.load();
  for (auto _ : s) benchmark::DoNotOptimize(f(7));
  if (s.threads() == 1) allocs(s, a);
}
void raw_hit(benchmark::State& s) {
  // Builds its key each call (with the library's key builder, into a reused
  // buffer), as the library does and as hand-written code would have to.
  auto& f = *g_users_nolimit;
  f(7);
  std::string key;
  redisContext* c = raw();
  const auto a = g_allocs.load();
  for (auto _ : s) {
    rc::detail::Access::build_key(f, key, std::int64_t{7});
    redisReply* r = cmd(c, {"GET", key});
    User u = rc::codec::decode_value<User>(std::string_view(r->str, r->len));
    benchmark::DoNotOptimize(u);
    freeReplyObject(r);
  }
  if (s.threads() == 1) allocs(s, a);
}

// A hit over TLS (rediss://, a TLS-only server). Its row's raw column is raw
// hiredis over plain TCP: what TLS costs next to the plain baseline.
void lib_hit_tls(benchmark::State& s) {
  auto& f = *g_users_tls;
  f(7);
  const auto a = g_allocs.load();
  for (auto _ : s) benchmark::DoNotOptimize(f(7));
  if (s.threads() == 1) allocs(s, a);
}

// -- miss, no limit: GET (nil) + SET EX ----------------------------------------
void lib_miss(benchmark::State& s) {
  auto& f = *g_users_nolimit;
  const auto a = g_allocs.load();
  for (auto _ : s) benchmark::DoNotOptimize(f(g_next_id++));
  allocs(s, a);
}
void raw_miss(benchmark::State& s) {
  auto& f = *g_users_nolimit;
  redisContext* c = raw();
  std::string key, bytes;  // reused buffers, as the library's
  const auto a = g_allocs.load();
  for (auto _ : s) {
    const auto id = g_next_id++;
    rc::detail::Access::build_key(f, key, id);
    freeReplyObject(cmd(c, {"GET", key}));
    rc::codec::encode_value(load_user(id), bytes);
    freeReplyObject(cmd(c, {"SET", key, bytes, "EX", "3600"}));
  }
  allocs(s, a);
}

// -- miss with a limit: GET (nil) + EVALSHA of the FIFO script -------------------
// Both sides share one function's FIFO index. Each run starts from an empty
// index, so that neither side pays for a larger index, nor for evictions
// (once it reaches the limit, every store also evicts the oldest entry: more
// Redis work for whichever side runs later).
std::string g_fifo_sha;
void clear_fifo_index() {
  freeReplyObject(cmd(raw(), {"DEL", rc::detail::Access::state(*g_users_limit).index_key}));
}
void lib_miss_limit(benchmark::State& s) {
  auto& f = *g_users_limit;
  clear_fifo_index();
  const auto a = g_allocs.load();
  for (auto _ : s) benchmark::DoNotOptimize(f(g_next_id++));
  allocs(s, a);
}
void raw_miss_limit(benchmark::State& s) {
  auto& f = *g_users_limit;
  redisContext* c = raw();
  clear_fifo_index();
  std::string key, bytes;  // reused buffers, as the library's
  const auto a = g_allocs.load();
  for (auto _ : s) {
    const auto id = g_next_id++;
    rc::detail::Access::build_key(f, key, id);
    freeReplyObject(cmd(c, {"GET", key}));
    rc::codec::encode_value(load_user(id), bytes);
    freeReplyObject(cmd(c, {"EVALSHA", g_fifo_sha, "2", rc::detail::Access::state(f).index_key, key,
                            bytes, "3600", "100000"}));
  }
  allocs(s, a);
}

// -- mget of N hits ---------------------------------------------------------------
void lib_mget(benchmark::State& s) {
  auto& f = *g_users_nolimit;
  std::vector<std::tuple<std::int64_t>> calls;
  for (std::int64_t i = 0; i < s.range(0); ++i) calls.emplace_back(i);
  f.mget(calls);
  for (auto _ : s) benchmark::DoNotOptimize(f.mget(calls));
  s.SetItemsProcessed(s.iterations() * s.range(0));
}
void raw_mget(benchmark::State& s) {
  // The same keys as the library's, built each time into reused buffers (a
  // hand-written client has to build its keys too), one MGET, the same decode.
  auto& f = *g_users_nolimit;
  const auto n = static_cast<std::size_t>(s.range(0));
  {  // stored (whichever side runs first, e.g. with --benchmark_enable_random_interleaving)
    std::vector<std::tuple<std::int64_t>> calls;
    for (std::size_t i = 0; i < n; ++i) calls.emplace_back(static_cast<std::int64_t>(i));
    f.mget(calls);
  }
  std::vector<std::string> keys(n);
  std::vector<const char*> argv(n + 1);
  std::vector<size_t> lens(n + 1);
  argv[0] = "MGET";
  lens[0] = 4;
  redisContext* c = raw();
  for (auto _ : s) {
    for (std::size_t i = 0; i < n; ++i) {
      rc::detail::Access::build_key(f, keys[i], static_cast<std::int64_t>(i));
      argv[i + 1] = keys[i].data();
      lens[i + 1] = keys[i].size();
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
    std::vector<User> out;
    out.reserve(r->elements);
    for (size_t i = 0; i < r->elements; ++i)
      out.push_back(
          rc::codec::decode_value<User>(std::string_view(r->element[i]->str, r->element[i]->len)));
    benchmark::DoNotOptimize(out);
    freeReplyObject(r);
  }
  s.SetItemsProcessed(s.iterations() * s.range(0));
}

// -- table -----------------------------------------------------------------------
struct Row {
  double lib = 0, raw = 0, lib_allocs = -1, raw_allocs = -1;
};
std::map<std::string, Row> g_rows;
std::vector<std::string> g_order;

class TableReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) {
      // With repetitions, only the median counts.
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median") continue;
      std::string name = r.run_name.str();
      const bool lib = name.rfind("lib/", 0) == 0;
      name = name.substr(4);
      if (g_rows.find(name) == g_rows.end()) g_order.push_back(name);
      Row& row = g_rows[name];
      const double ns = r.GetAdjustedRealTime();
      (lib ? row.lib : row.raw) = ns;
      auto it = r.counters.find("allocs/op");
      if (it != r.counters.end()) (lib ? row.lib_allocs : row.raw_allocs) = it->second.value;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  rc_test::RedisServer server;
  g_server = &server;
  g_cache = std::make_unique<rc::RedisCache>(rc::Options{.url = server.url(), .pool_size = 8});
  g_users_nolimit =
      std::make_unique<Users>(g_cache->cache<&load_user>({.ttl = std::chrono::hours(1)}));
  g_users_limit = std::make_unique<Users>(
      g_cache->cache<&load_user>({.ttl = std::chrono::hours(1), .limit = 100000, .ns = "limited"}));
  (*g_users_limit)(1);  // loads the script
  rc_test::TlsCerts certs;
  rc_test::RedisServer tls_server(
      rc_test::TlsServerFiles{certs.path("server.crt"), certs.path("server.key"),
                              certs.path("ca.crt")},
      {});
  g_tls_cache = std::make_unique<rc::RedisCache>(
      rc::Options{.url = tls_server.tls_url() + "?tls_ca=" + certs.path("ca.crt"), .pool_size = 8});
  g_users_tls =
      std::make_unique<Users>(g_tls_cache->cache<&load_user>({.ttl = std::chrono::hours(1)}));
  g_fifo_sha = rc::detail::fifo_script().sha1();  // the library's own FIFO script

  // Three repetitions by default; the table uses the medians.
  std::vector<char*> args(argv, argv + argc);
  std::string reps = "--benchmark_repetitions=3", aggr = "--benchmark_report_aggregates_only=true";
  bool has_reps = false;
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]).starts_with("--benchmark_repetitions")) has_reps = true;
  if (!has_reps) {
    args.push_back(reps.data());
    args.push_back(aggr.data());
  }
  int nargs = static_cast<int>(args.size());
  benchmark::Initialize(&nargs, args.data());
  auto pair = [](const char* name, void (*lib)(benchmark::State&),
                 void (*rawf)(benchmark::State&)) {
    benchmark::RegisterBenchmark((std::string("lib/") + name).c_str(), lib)->UseRealTime();
    benchmark::RegisterBenchmark((std::string("raw/") + name).c_str(), rawf)->UseRealTime();
  };
  pair("hit", lib_hit, raw_hit);
  pair("hit_tls", lib_hit_tls, raw_hit);  // raw: plain TCP
  pair("miss", lib_miss, raw_miss);
  pair("miss_limit", lib_miss_limit, raw_miss_limit);
  for (int n : {10, 100, 1000}) {
    benchmark::RegisterBenchmark(("lib/mget_" + std::to_string(n)).c_str(), lib_mget)
        ->Arg(n)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("raw/mget_" + std::to_string(n)).c_str(), raw_mget)
        ->Arg(n)
        ->UseRealTime();
  }
  for (int t : {1, 2, 4, 8}) {
    benchmark::RegisterBenchmark("lib/hit_threads", lib_hit)->Threads(t)->UseRealTime();
    benchmark::RegisterBenchmark("raw/hit_threads", raw_hit)->Threads(t)->UseRealTime();
  }
  TableReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::printf("\n%-32s %12s %12s %7s %16s\n", "case (median)", "library ns", "raw ns", "ratio",
              "allocs lib/raw");
  for (const auto& name : g_order) {
    const Row& r = g_rows[name];
    if (r.lib == 0 || r.raw == 0) continue;
    char allocs_col[48] = "";
    if (r.lib_allocs >= 0 && r.raw_allocs >= 0)
      std::snprintf(allocs_col, sizeof allocs_col, "%.1f / %.1f", r.lib_allocs, r.raw_allocs);
    std::printf("%-32s %12.0f %12.0f %7.3f %16s\n", name.c_str(), r.lib, r.raw, r.raw / r.lib,
                allocs_col);
  }
  std::printf("(ratio = raw / library time: 1.000 means as fast as raw hiredis)\n");
  g_users_tls.reset();
  g_tls_cache.reset();
  benchmark::Shutdown();
}
