// Soak: 8 threads of mixed hits, misses and invalidations against a private
// redis-server, with a limit and a TTL, for a bounded time (default 60 s);
// then the invariants are checked and printed. Exit code 0 when they all hold.
//
//   bash tools/soak.sh [seconds]
#include <redis_cache/redis_cache.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "access.hpp"
#include "support/redis_server.hpp"

namespace rc = redis_cache;
using Clock = std::chrono::steady_clock;

namespace {
std::atomic<long long> g_computed{0};
std::string value_of(int x) {
  ++g_computed;
  return "value-" + std::to_string(x) + std::string(static_cast<std::size_t>(x % 97), '.');
}
}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  constexpr int kThreads = 8, kKeys = 400;
  constexpr std::size_t kLimit = 100;
  const auto kTtl = std::chrono::seconds(3);

  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .pool_size = 8}};
  auto f = cache.cache<&value_of>({.ttl = kTtl, .limit = kLimit, .ns = "soak"});
  auto g = cache.cache<&value_of>({.ttl = kTtl, .ns = "soak.nolimit"});

  std::atomic<long long> calls{0}, wrong{0}, errors{0}, invalidations{0}, batches{0};
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t) * 7919u + 1);
      std::uniform_int_distribution<int> key(0, kKeys - 1), op(0, 99);
      while (Clock::now() < deadline) {
        const int x = key(rng);
        try {
          const int o = op(rng);
          if (o < 80) {
            auto& fn = (o % 2) ? f : g;
            if (fn(x) != "value-" + std::to_string(x) + std::string(x % 97, '.')) ++wrong;
            ++calls;
          } else if (o < 90) {
            f.invalidate(x);
            ++invalidations;
          } else if (o < 99) {
            auto vs = f.mget({{x}, {(x + 1) % kKeys}, {(x + 2) % kKeys}});
            for (int i = 0; i < 3; ++i) {
              const int y = (x + i) % kKeys;
              if (vs[static_cast<std::size_t>(i)] !=
                  "value-" + std::to_string(y) + std::string(y % 97, '.'))
                ++wrong;
            }
            ++batches;
          } else {
            g.invalidate_all();
            ++invalidations;
          }
        } catch (const rc::Error& e) {
          ++errors;
          std::fprintf(stderr, "error: %s\n", e.what());
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  // Invariants, read straight from Redis.
  const auto& st = rc::detail::Access::state(f);
  const long long index_size = std::stoll(server.cli({"ZCARD", st.index_key}));
  const std::string members = server.cli({"ZRANGE", st.index_key, "0", "-1"});
  std::set<std::string> index;
  for (std::size_t pos = 0; pos < members.size();) {
    const auto nl = members.find('\n', pos);
    index.insert(members.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    pos = nl == std::string::npos ? members.size() : nl + 1;
  }
  long long live = 0, live_outside_index = 0, missing_in_index = 0;
  for (int x = 0; x < kKeys; ++x) {
    const std::string k = f.key(x);
    const bool exists = server.cli({"EXISTS", k}) == "1";
    live += exists;
    if (exists && !index.count(k)) ++live_outside_index;
    if (!exists && index.count(k)) ++missing_in_index;  // expired: allowed (pruned on next store)
  }
  const auto fs = f.stats(), gs = g.stats();
  std::printf("soak: %d s, %d threads, %d keys, limit %zu, ttl %lld s\n", seconds, kThreads, kKeys,
              kLimit, static_cast<long long>(kTtl.count()));
  std::printf("calls %lld, mget batches %lld, invalidations %lld, computed %lld, errors %lld\n",
              calls.load(), batches.load(), invalidations.load(), g_computed.load(), errors.load());
  std::printf("limited:   %s\nunlimited: %s\n", fs.to_string().c_str(), gs.to_string().c_str());
  std::printf(
      "index size %lld (limit %zu), live values %lld, live outside index %lld, "
      "index members whose value expired %lld\n",
      index_size, kLimit, live, live_outside_index, missing_in_index);
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    std::printf("  [%s] %s\n", cond ? "ok" : "FAIL", what);
    ok = ok && cond;
  };
  check(wrong == 0, "every call returned its function's value");
  check(errors == 0, "no Redis errors");
  check(index_size <= static_cast<long long>(kLimit), "index size <= limit");
  check(live <= static_cast<long long>(kLimit), "live values <= limit");
  check(live_outside_index == 0, "no live value outside the index");
  check(fs.hits + fs.misses + gs.hits + gs.misses >= static_cast<unsigned long long>(calls.load()),
        "every call counted (hits + misses)");
  check(calls > 0, "calls were made");
  return ok ? 0 : 1;
}
