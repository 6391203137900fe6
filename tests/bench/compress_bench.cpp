// A 10 KiB value with and without zstd (Options::compress_above): bytes stored in
// Redis, time of encode(+compress) and (decompress+)decode, and of a cache hit and a
// miss-and-store against a private redis-server. Run:
//   build/tests/bench/compress_bench --benchmark_counters_tabular=true
#include <cstddef>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <redis_cache/detail/result_codec.hpp>
#include <redis_cache/redis_cache.hpp>

#include "support/redis_server.hpp"

namespace {

namespace rc = redis_cache;

struct Order {  // PFR aggregate
  int id;
  std::string customer;
  std::vector<std::string> lines;
  double total;
};

/// A realistic ~10 KiB value: repetitive text, as JSON-ish business data is.
Order make_order(int id) {
  Order o{id, "customer-" + std::to_string(id), {}, 0};
  for (int i = 0; i < 380; ++i) {
    o.lines.push_back("sku-" + std::to_string(1000 + i % 37) + " qty " + std::to_string(i % 5) +
                      " warehouse " + std::to_string(i % 3));
    o.total += i * 0.5;
  }
  return o;
}

Order load_order(int id) {
  return make_order(id);
}

const Order g_order = make_order(1);

void codec_round_trip(benchmark::State& state) {
  rc::detail::FunctionState st;
  st.compress_above = static_cast<std::size_t>(state.range(0));
  std::string bytes;
  for (auto _ : state) {
    rc::detail::encode_result(st, g_order, bytes);
    Order o = rc::detail::decode_result<Order>(st, bytes);
    benchmark::DoNotOptimize(o);
  }
  std::string plain;
  rc::codec::encode_value(g_order, plain);
  state.counters["value_bytes"] = static_cast<double>(plain.size());
  state.counters["stored_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(codec_round_trip)->Arg(0)->Arg(1024)->ArgNames({"compress_above"});

rc_test::RedisServer& server() {
  static rc_test::RedisServer s;
  return s;
}

void cache_hit(benchmark::State& state) {
  rc::RedisCache cache{
      {.url = server().url(), .compress_above = static_cast<std::size_t>(state.range(0))}};
  auto orders =
      cache.cache<&load_order>({.ns = "bench.compress." + std::to_string(state.range(0))});
  orders.invalidate_all();
  benchmark::DoNotOptimize(orders(1));  // store once
  for (auto _ : state) benchmark::DoNotOptimize(orders(1));
  state.counters["stored_bytes"] =
      static_cast<double>(std::stoul(server().cli({"STRLEN", orders.key(1)})));
}
BENCHMARK(cache_hit)->Arg(0)->Arg(1024)->ArgNames({"compress_above"})->UseRealTime();

void cache_miss_and_store(benchmark::State& state) {
  rc::RedisCache cache{
      {.url = server().url(), .compress_above = static_cast<std::size_t>(state.range(0))}};
  auto orders = cache.cache<&load_order>({.ns = "bench.compress.miss"});
  for (auto _ : state) {
    orders.invalidate(1);
    benchmark::DoNotOptimize(orders(1));
  }
}
BENCHMARK(cache_miss_and_store)->Arg(0)->Arg(1024)->ArgNames({"compress_above"})->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
