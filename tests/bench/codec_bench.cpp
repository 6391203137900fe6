// Codec microbenchmarks: encode and decode of a typical struct (PFR aggregate and
// described struct with a string and a vector), key building, and msgpack-cxx's own
// pack/unpack of the same data for reference. Each benchmark reports heap allocations
// per operation ("allocs/op"), counted by the replaced global operator new below.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/describe.hpp>
#include <msgpack.hpp>
#include <redis_cache/codec/codec.hpp>

#include "count_allocs.hpp"

namespace {

/// Counts allocations over the timed loop; reports allocs/op.
class AllocCounter {
 public:
  explicit AllocCounter(benchmark::State& s) : s_(s), start_(g_allocs.load()) {}
  ~AllocCounter() {
    const double n = static_cast<double>(g_allocs.load() - start_);
    s_.counters["allocs/op"] =
        benchmark::Counter(n / static_cast<double>(s_.iterations() ? s_.iterations() : 1));
  }

 private:
  benchmark::State& s_;
  std::uint64_t start_;
};

// ---- the typical types -------------------------------------------------------------
namespace rc = redis_cache::codec;

struct User {  // PFR aggregate: 8 fields, a string and vectors
  std::int64_t id;
  std::string name;
  std::string email;
  std::vector<std::string> tags;
  std::vector<std::int32_t> scores;
  double balance;
  bool active;
  std::optional<std::int32_t> age;
};

struct DUser {  // the same, described: encoded as a map by field name
  std::int64_t id;
  std::string name;
  std::string email;
  std::vector<std::string> tags;
  std::vector<std::int32_t> scores;
  double balance;
  bool active;
  std::optional<std::int32_t> age;
};
BOOST_DESCRIBE_STRUCT(DUser, (), (id, name, email, tags, scores, balance, active, age))

struct MUser {  // the same with msgpack-cxx's own adaptor, for reference
  std::int64_t id;
  std::string name;
  std::string email;
  std::vector<std::string> tags;
  std::vector<std::int32_t> scores;
  double balance;
  bool active;
  std::optional<std::int32_t> age;
  MSGPACK_DEFINE(id, name, email, tags, scores, balance, active, age)
};

template <class T>
T make_user() {
  return T{123456789,
           "Ada Lovelace",
           "ada@example.org",
           {"admin", "math", "engine"},
           {97, 88, 100, 75, 64, 99},
           1234.5,
           true,
           36};
}

template <class T>
void BM_Encode(benchmark::State& state) {
  const T u = make_user<T>();
  std::string out;
  rc::encode_value(u, out);  // warm: buffer capacity
  AllocCounter count(state);
  for (auto _ : state) {
    rc::encode_value(u, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetLabel(std::to_string(out.size()) + " bytes");
}
BENCHMARK(BM_Encode<User>)->Name("encode_value/pfr_struct");
BENCHMARK(BM_Encode<DUser>)->Name("encode_value/described_struct");

template <class T>
void BM_Decode(benchmark::State& state) {
  std::string bytes;
  rc::encode_value(make_user<T>(), bytes);
  AllocCounter count(state);
  for (auto _ : state) {
    T u = rc::decode_value<T>(bytes);
    benchmark::DoNotOptimize(u);
  }
}
BENCHMARK(BM_Decode<User>)->Name("decode_value/pfr_struct");
BENCHMARK(BM_Decode<DUser>)->Name("decode_value/described_struct");

void BM_MsgpackCxxPack(benchmark::State& state) {
  const MUser u = make_user<MUser>();
  msgpack::sbuffer buf;
  AllocCounter count(state);
  for (auto _ : state) {
    buf.clear();
    msgpack::pack(buf, u);
    benchmark::DoNotOptimize(buf.data());
  }
}
BENCHMARK(BM_MsgpackCxxPack)->Name("reference/msgpack_cxx_pack");

void BM_MsgpackCxxUnpack(benchmark::State& state) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, make_user<MUser>());
  AllocCounter count(state);
  for (auto _ : state) {
    msgpack::object_handle oh = msgpack::unpack(buf.data(), buf.size());
    MUser u = oh.get().as<MUser>();
    benchmark::DoNotOptimize(u);
  }
}
BENCHMARK(BM_MsgpackCxxUnpack)->Name("reference/msgpack_cxx_unpack_convert");

// Key building as the cache does it: fixed prefix + base64(canonical args), reused buffer.
void BM_KeyScalars(benchmark::State& state) {
  std::string key;
  key.reserve(256);
  const std::string lang = "en";
  AllocCounter count(state);
  for (auto _ : state) {
    key.assign("{rc:app::load_user}:1a2b3c4d:");
    rc::append_key_args(key, std::int64_t{7}, std::string_view(lang), true);
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_KeyScalars)->Name("append_key_args/int_string_bool");

void BM_KeyStruct(benchmark::State& state) {
  std::string key;
  key.reserve(512);
  const User u = make_user<User>();
  AllocCounter count(state);
  for (auto _ : state) {
    key.assign("{rc:app::save_user}:1a2b3c4d:");
    rc::append_key_args(key, u, 42);
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_KeyStruct)->Name("append_key_args/struct_and_int");

void BM_KeyUnordered(benchmark::State& state) {
  std::string key;
  key.reserve(512);
  std::unordered_set<std::int32_t> ids;
  for (int i = 0; i < 16; ++i) ids.insert(i * 7919);
  AllocCounter count(state);
  for (auto _ : state) {
    key.assign("{rc:app::load_many}:1a2b3c4d:");
    rc::append_key_args(key, ids);  // sorted canonically
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_KeyUnordered)->Name("append_key_args/unordered_set_16");

void BM_MsgpackToJson(benchmark::State& state) {
  std::string bytes;
  rc::encode_value(make_user<DUser>(), bytes);
  AllocCounter count(state);
  for (auto _ : state) {
    std::string j = rc::msgpack_to_json(bytes);
    benchmark::DoNotOptimize(j.data());
  }
}
BENCHMARK(BM_MsgpackToJson)->Name("msgpack_to_json/described_struct");

}  // namespace

BENCHMARK_MAIN();
