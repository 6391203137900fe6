// The near cache in one run on a private redis-server (loopback TCP), side by
// side: a near hit, a Redis hit without the near tier (GET), a Redis hit with
// it (GET + PTTL + keeping the copy), raw hiredis GET + msgpack decode, and
// the floor of a thread-safe lookup (std::unordered_map + std::mutex + copy);
// 1, 2 and 8 threads; allocations per near hit; bytes per entry; and the
// delay from a write's acknowledgement to its invalidation applied locally;
// and the eviction policy's comparison (CLOCK, LRU, S3-FIFO on Zipf traces).
//
//   build/tests/bench/near_bench [google-benchmark flags]
#include <redis_cache/redis_cache.hpp>

#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "access.hpp"
#include "near/near_cache.hpp"
#include "near/near_store.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

#include "bench_user.hpp"
#include "count_allocs.hpp"

namespace rc = redis_cache;
using Users = rc::Cached<&load_user>;

namespace {

rc_test::RedisServer* g_server = nullptr;
std::unique_ptr<rc::RedisCache> g_near_cache, g_plain_cache;
std::unique_ptr<Users> g_near, g_plain;

redisContext* raw() {
  struct Ctx {
    redisContext* c = redisConnect("127.0.0.1", g_server->port());
    ~Ctx() { redisFree(c); }
  };
  thread_local Ctx ctx;
  if (ctx.c == nullptr || ctx.c->err) {
    std::fprintf(stderr, "near_bench: cannot connect\n");
    std::exit(2);
  }
  return ctx.c;
}

void allocs(benchmark::State& s, std::uint64_t start) {
  s.counters["allocs/op"] = benchmark::Counter(static_cast<double>(g_allocs.load() - start) /
                                               static_cast<double>(s.iterations()));
}

/// A key of f for thread `thread` in a shard of its own (the hash is seeded
/// per process): distinct hot keys mostly are; two in one shard share its lock.
std::int64_t own_shard_key(const Users& f, int thread) {
  const auto& store = rc::detail::Access::core(*g_near_cache)->near()->store();
  const std::size_t want = static_cast<std::size_t>(thread) % store.shard_count();
  for (std::int64_t k = 7;; ++k)
    if (store.shard_index(rc::detail::NearStore::hash(f.key(k))) == want) return k;
}

void near_hit(benchmark::State& s) {  // each thread its own key, in its own shard
  auto& f = *g_near;
  const std::int64_t key = own_shard_key(f, s.thread_index());
  for (;;) {  // until this key is served near (the listener has subscribed)
    const auto before = f.stats().near_hits;
    (void)f(key);
    if (f.stats().near_hits > before) break;
  }
  const auto a = g_allocs.load();
  for (auto _ : s) benchmark::DoNotOptimize(f(key));
  if (s.threads() == 1) allocs(s, a);
}

void redis_hit(benchmark::State& s) {  // near tier off: GET + decode
  auto& f = *g_plain;
  (void)f(7);
  const auto a = g_allocs.load();
  for (auto _ : s) benchmark::DoNotOptimize(f(7));
  if (s.threads() == 1) allocs(s, a);
}

void redis_hit_near_on(benchmark::State& s) {  // GET + PTTL + decode + keep near
  auto& f = *g_near;
  const auto& st = rc::detail::Access::state(f);
  std::string key = f.key(7);
  (void)f(7);
  for (auto _ : s) {
    rc::detail::io::near_evict(st, key);  // the next call misses near, hits Redis
    benchmark::DoNotOptimize(f(7));
  }
}

void raw_get(benchmark::State& s) {  // hand-written hiredis GET + msgpack decode
  auto& f = *g_plain;
  (void)f(7);
  std::string key;
  redisContext* c = raw();
  for (auto _ : s) {
    rc::detail::Access::build_key(f, key, std::int64_t{7});
    const char* argv[2] = {"GET", key.data()};
    const std::size_t lens[2] = {3, key.size()};
    auto* r = static_cast<redisReply*>(redisCommandArgv(c, 2, argv, lens));
    User u = rc::codec::decode_value<User>(std::string_view(r->str, r->len));
    benchmark::DoNotOptimize(u);
    freeReplyObject(r);
  }
}

// The floor: the same key built the same way, one std::mutex, a lookup in a
// std::unordered_map and a copy of the value.
struct Floor {
  std::mutex mu;
  std::unordered_map<std::string, User> map;
};
void floor_lookups(benchmark::State& s, Floor& fl) {
  auto& f = *g_plain;
  {
    std::lock_guard lock(fl.mu);
    fl.map.emplace(f.key(7), load_user(7));
  }
  std::string key;
  for (auto _ : s) {
    rc::detail::Access::build_key(f, key, std::int64_t{7});
    std::unique_lock lock(fl.mu);
    User u = fl.map.find(key)->second;
    lock.unlock();
    benchmark::DoNotOptimize(u);
  }
}
Floor g_floor;
void map_mutex(benchmark::State& s) {
  floor_lookups(s, g_floor);
}

// The machine's own ceiling for this work: each thread its own map and mutex
// (nothing shared), so 2 threads vs 1 here is as well as 2 threads can scale
// on this host.
void map_mutex_own(benchmark::State& s) {
  thread_local Floor own;
  floor_lookups(s, own);
}

// -- table -----------------------------------------------------------------------
std::map<std::string, std::pair<double, double>> g_rows;  // name -> (ns, allocs)
std::vector<std::string> g_order;

class TableReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) {
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median") continue;
      const std::string name = r.run_name.str();
      if (g_rows.find(name) == g_rows.end()) g_order.push_back(name);
      double a = -1;
      if (auto it = r.counters.find("allocs/op"); it != r.counters.end()) a = it->second.value;
      // Wall time per call of all threads together: 1 / throughput.
      g_rows[name] = {r.GetAdjustedRealTime(), a};
    }
  }
};

double row(const std::string& name) {
  auto it = g_rows.find(name);
  return it == g_rows.end() ? 0 : it->second.first;
}

// How long after a write its invalidation is applied by the near cache's
// listener: from sending the SET (median), and after its acknowledgement
// (the share of writes already applied by then, and the median of the rest).
void invalidation_delay() {
  auto& near = *rc::detail::Access::core(*g_near_cache)->near();
  const std::string key = g_near->key(7);
  std::vector<double> from_send, after_ack;
  int before_ack = 0;
  constexpr int n = 500;
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < n; ++i) {
    const auto seen = near.invalidations_applied();
    const std::string v = std::to_string(i);
    const char* argv[3] = {"SET", key.data(), v.data()};
    const std::size_t lens[3] = {3, key.size(), v.size()};
    const auto t0 = Clock::now();
    freeReplyObject(redisCommandArgv(raw(), 3, argv, lens));
    const auto acked = Clock::now();
    if (near.invalidations_applied() > seen) ++before_ack;
    while (near.invalidations_applied() <= seen) {
    }
    const auto applied = Clock::now();
    from_send.push_back(std::chrono::duration<double, std::micro>(applied - t0).count());
    if (applied > acked)
      after_ack.push_back(std::chrono::duration<double, std::micro>(applied - acked).count());
  }
  std::sort(from_send.begin(), from_send.end());
  std::sort(after_ack.begin(), after_ack.end());
  (void)g_near->invalidate(7);
  std::printf(
      "invalidation applied locally (loopback, %d writes): median %.1f us after the SET "
      "was sent; already applied at its acknowledgement in %d%%; otherwise median %.1f "
      "us, worst %.1f us after it\n",
      n, from_send[from_send.size() / 2], 100 * before_ack / n,
      after_ack.empty() ? 0.0 : after_ack[after_ack.size() / 2],
      after_ack.empty() ? 0.0 : after_ack.back());
}

/// Waits (polling against a deadline) until the near cache's listener is
/// subscribed: before that, every call bypasses the near tier.
void wait_listening(const rc::RedisCache& cache) {
  if (!rc_test::eventually([&] { return cache.near_stats().listening; })) {
    std::fprintf(stderr, "near_bench: the near cache's listener never subscribed\n");
    std::exit(1);
  }
}

// Real heap growth per entry (glibc's allocated bytes) next to what the
// budget counts, for n entries of the benchmark's User.
void entry_costs() {
  rc::RedisCache cache{{.url = g_server->url(), .near = {.max_bytes = 256 << 20}}};
  wait_listening(cache);
  auto f = cache.cache<&load_user>({.ttl = std::chrono::hours(1), .ns = "entry_cost"});
  constexpr int n = 20000;
  for (int i = 0; i < n; ++i) (void)f(i);  // stored in Redis (and echoed: not near)
  const std::size_t heap0 = mallinfo2().uordblks;
  for (int i = 0; i < n; ++i) (void)f(i);  // Redis hits: kept near
  const std::size_t heap1 = mallinfo2().uordblks;
  const rc::NearStats s = cache.near_stats();
  const std::size_t key = f.key(0).size();
  const User u = load_user(0);
  const std::size_t value = rc::detail::near_value_bytes(u, 0);
  std::printf("\nnear entries: %zu of %d, key %zu B, value (holder + heap) %zu B\n", s.entries, n,
              key, value);
  std::printf(
      "  accounted per entry: %.1f B (overhead beyond key and value: %.1f B; "
      "NearStore::node_overhead = %zu B)\n",
      static_cast<double>(s.bytes) / static_cast<double>(s.entries),
      static_cast<double>(s.bytes) / static_cast<double>(s.entries) -
          static_cast<double>(key + value),
      rc::detail::NearStore::node_overhead(key));
  std::printf("  real heap growth per entry (mallinfo2): %.1f B (%.2fx the accounted bytes)\n",
              static_cast<double>(heap1 - heap0) / static_cast<double>(s.entries),
              static_cast<double>(heap1 - heap0) / static_cast<double>(s.bytes));
}

// -- eviction policy, chosen by measurement ------------------------------------
// The same Zipf-skewed trace through CLOCK, LRU (a hit
// moves the entry to the front) and S3-FIFO (small + main FIFO, ghost queue),
// each a small single-threaded simulator over the same hash map, at two
// capacities; then the real NearStore (S3-FIFO, 16 shards, per-shard caps) on
// the same trace. Hit ratio, and ns per access (lookup + policy bookkeeping).

std::vector<std::uint32_t> zipf_trace(std::size_t universe, double skew, std::size_t n) {
  std::vector<double> cdf(universe);
  double sum = 0;
  for (std::size_t i = 0; i < universe; ++i) cdf[i] = sum += 1.0 / std::pow(double(i + 1), skew);
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, sum);
  // Ranks scattered over the ids, so that hot keys are not neighbours.
  std::vector<std::uint32_t> id(universe);
  for (std::size_t i = 0; i < universe; ++i) id[i] = static_cast<std::uint32_t>(i);
  std::shuffle(id.begin(), id.end(), rng);
  std::vector<std::uint32_t> trace(n);
  for (auto& t : trace)
    t = id[static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) -
                                    cdf.begin())];
  return trace;
}

struct ClockSim {
  explicit ClockSim(std::size_t cap) : cap(cap) { where.reserve(cap * 2); }
  bool access(std::uint32_t k) {
    if (auto it = where.find(k); it != where.end()) {
      ring[it->second].second = true;
      return true;
    }
    if (ring.size() < cap) {
      where.emplace(k, ring.size());
      ring.emplace_back(k, false);
      return false;
    }
    while (ring[hand].second) {  // second chance
      ring[hand].second = false;
      hand = (hand + 1) % cap;
    }
    where.erase(ring[hand].first);
    ring[hand] = {k, false};
    where.emplace(k, hand);
    hand = (hand + 1) % cap;
    return false;
  }
  std::size_t cap, hand = 0;
  std::vector<std::pair<std::uint32_t, bool>> ring;
  std::unordered_map<std::uint32_t, std::size_t> where;
};

struct LruSim {
  explicit LruSim(std::size_t cap) : cap(cap) { where.reserve(cap * 2); }
  bool access(std::uint32_t k) {
    if (auto it = where.find(k); it != where.end()) {
      order.splice(order.begin(), order, it->second);
      return true;
    }
    if (order.size() == cap) {
      where.erase(order.back());
      order.pop_back();
    }
    order.push_front(k);
    where.emplace(k, order.begin());
    return false;
  }
  std::size_t cap;
  std::list<std::uint32_t> order;
  std::unordered_map<std::uint32_t, std::list<std::uint32_t>::iterator> where;
};

// S3-FIFO (Yang et al., SOSP '23): new keys enter a small FIFO (10 %); on
// leaving it, those hit again move to the main FIFO, the others to a ghost
// queue of keys only; a key found in the ghost queue enters main directly.
// Main reinserts entries with a non-zero frequency (decremented) instead of
// evicting them.
struct S3FifoSim {
  explicit S3FifoSim(std::size_t cap)
      : small_cap(std::max<std::size_t>(cap / 10, 1)), main_cap(cap - small_cap) {
    freq.reserve(cap * 2);
  }
  bool access(std::uint32_t k) {
    if (auto it = freq.find(k); it != freq.end()) {
      it->second = std::min(it->second + 1, 3);
      return true;
    }
    if (small.size() + main.size() >= small_cap + main_cap) evict();
    if (ghost_set.erase(k) != 0) {
      main.push_back(k);
    } else {
      small.push_back(k);
    }
    freq.emplace(k, 0);
    return false;
  }
  void evict() {
    if (small.size() >= small_cap || main.empty()) {
      while (!small.empty()) {
        const std::uint32_t k = small.front();
        small.pop_front();
        auto it = freq.find(k);
        if (it->second > 0) {
          it->second = 0;
          main.push_back(k);
          if (main.size() > main_cap) evict_main();
          continue;
        }
        freq.erase(it);
        ghost.push_back(k);
        ghost_set.insert(k);
        if (ghost.size() > main_cap) {
          ghost_set.erase(ghost.front());
          ghost.pop_front();
        }
        return;
      }
    }
    evict_main();
  }
  void evict_main() {
    while (!main.empty()) {
      const std::uint32_t k = main.front();
      main.pop_front();
      auto it = freq.find(k);
      if (it->second > 0) {
        --it->second;
        main.push_back(k);
        continue;
      }
      freq.erase(it);
      return;
    }
  }
  std::size_t small_cap, main_cap;
  std::deque<std::uint32_t> small, main, ghost;
  std::unordered_set<std::uint32_t> ghost_set;
  std::unordered_map<std::uint32_t, int> freq;
};

template <class Sim>
void run_policy(const char* name, std::size_t cap, const std::vector<std::uint32_t>& trace) {
  Sim sim(cap);
  const std::size_t warm = trace.size() / 4;
  for (std::size_t i = 0; i < warm; ++i) (void)sim.access(trace[i]);
  std::size_t hits = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = warm; i < trace.size(); ++i) hits += sim.access(trace[i]) ? 1 : 0;
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
      static_cast<double>(trace.size() - warm);
  std::printf("  %-28s %8zu %9.1f %% %10.0f\n", name, cap,
              100.0 * static_cast<double>(hits) / static_cast<double>(trace.size() - warm), ns);
}

void run_store(std::size_t cap, const std::vector<std::uint32_t>& trace, std::size_t universe) {
  namespace d = rc::detail;
  d::NearStore store(std::size_t{1} << 30, cap);  // the entry cap binds, split over 16 shards
  const std::atomic<std::uint64_t> state{1};      // listening, epoch 0
  const d::FunctionState& owner = d::Access::state(*g_near);
  std::vector<std::string> keys(universe);
  std::vector<std::uint64_t> hashes(universe);
  for (std::size_t i = 0; i < universe; ++i) {
    keys[i] = "{rc:bench}:" + std::to_string(i);
    hashes[i] = d::NearStore::hash(keys[i]);
  }
  const std::size_t warm = trace.size() / 4;
  std::size_t hits = 0;
  std::chrono::steady_clock::time_point t0;
  std::optional<std::int64_t> out;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    if (i == warm) {
      hits = 0;
      t0 = std::chrono::steady_clock::now();
    }
    const std::uint32_t k = trace[i];
    if (store.get(keys[k], hashes[k], 0, &d::near_copy<std::int64_t>, &out, 1)) {
      ++hits;
      continue;
    }
    const std::uint64_t token = store.begin(keys[k], hashes[k], 1, &owner);
    if (token == 0) continue;
    auto* v = new d::NearValueOf<std::int64_t>(std::int64_t{k});
    (void)store.fill(keys[k], hashes[k], token, 1, state, v,
                     d::near_value_bytes(std::int64_t{k}, 8), INT64_MAX);
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
      static_cast<double>(trace.size() - warm);
  std::printf("  %-28s %8zu %9.1f %% %10.0f\n", "NearStore (S3-FIFO, sharded)", cap,
              100.0 * static_cast<double>(hits) / static_cast<double>(trace.size() - warm), ns);
}

void eviction_policies() {
  constexpr std::size_t universe = 100000, accesses = 2000000;
  for (const double skew : {0.8, 1.0}) {
    const auto trace = zipf_trace(universe, skew, accesses);
    std::printf(
        "\neviction policy, Zipf %.1f over %zu keys, %zu accesses (first quarter warms up):\n"
        "  %-28s %8s %11s %10s\n",
        skew, universe, accesses, "policy", "capacity", "hit ratio", "ns/access");
    for (const std::size_t cap : {universe / 100, universe / 10}) {
      run_policy<ClockSim>("CLOCK", cap, trace);
      run_policy<LruSim>("LRU (promote on every hit)", cap, trace);
      run_policy<S3FifoSim>("S3-FIFO", cap, trace);
      run_store(cap, trace, universe);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  rc_test::RedisServer server;
  g_server = &server;
  g_near_cache = std::make_unique<rc::RedisCache>(
      rc::Options{.url = server.url(), .near = {.max_bytes = 64 << 20}});
  g_plain_cache = std::make_unique<rc::RedisCache>(rc::Options{.url = server.url()});
  g_near = std::make_unique<Users>(g_near_cache->cache<&load_user>({.ttl = std::chrono::hours(1)}));
  g_plain =
      std::make_unique<Users>(g_plain_cache->cache<&load_user>({.ttl = std::chrono::hours(1)}));
  wait_listening(*g_near_cache);

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
  for (int t : {1, 2, 8}) {
    benchmark::RegisterBenchmark("near_hit", near_hit)->Threads(t)->UseRealTime();
    benchmark::RegisterBenchmark("map_mutex_floor", map_mutex)->Threads(t)->UseRealTime();
    benchmark::RegisterBenchmark("map_mutex_per_thread", map_mutex_own)->Threads(t)->UseRealTime();
  }
  for (int t : {1, 2, 8}) {
    benchmark::RegisterBenchmark("redis_hit", redis_hit)->Threads(t)->UseRealTime();
    benchmark::RegisterBenchmark("raw_hiredis_get", raw_get)->Threads(t)->UseRealTime();
  }
  benchmark::RegisterBenchmark("redis_hit_near_on", redis_hit_near_on)->UseRealTime();
  TableReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  // Google Benchmark's real time per iteration with T threads is the threads'
  // wall time / the iterations of all threads: calls per second overall = 1 / that.
  std::printf("\n%-36s %12s %14s %10s\n", "case (median)", "ns/call", "Mcalls/s", "allocs");
  for (const auto& name : g_order) {
    const auto [ns, a] = g_rows[name];
    char ac[16] = "";
    if (a >= 0) std::snprintf(ac, sizeof ac, "%.2f", a);
    std::printf("%-36s %12.0f %14.3f %10s\n", name.c_str(), ns, 1e3 / ns, ac);
  }
  const double nh = row("near_hit/real_time/threads:1");
  const double nh2 = row("near_hit/real_time/threads:2");
  std::printf("\nnear hit vs raw hiredis GET:       %.0fx faster\n",
              row("raw_hiredis_get/real_time/threads:1") / nh);
  std::printf("near hit vs unordered_map+mutex:   %.2fx the floor's time\n",
              nh / row("map_mutex_floor/real_time/threads:1"));
  std::printf("near hit, 2 threads vs 1:          %.2fx the throughput\n", nh / nh2);
  std::printf("  (nothing shared, 2 threads vs 1:   %.2fx: this host's ceiling)\n",
              row("map_mutex_per_thread/real_time/threads:1") /
                  row("map_mutex_per_thread/real_time/threads:2"));
  std::printf("Redis hit, near on vs off:         %.2fx the time\n",
              row("redis_hit_near_on/real_time") / row("redis_hit/real_time/threads:1"));
  invalidation_delay();
  entry_costs();
  eviction_policies();
  benchmark::Shutdown();
}
