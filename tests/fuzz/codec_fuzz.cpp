// libFuzzer target for the codec's decoders: decode_value of a typical struct and of
// a few std types, and msgpack_to_json. Every input must give a value or a
// redis_cache::DecodeError; anything else (crash, sanitizer report, other exception,
// a decoded value that does not survive re-encoding) is a finding.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <redis_cache/codec/codec.hpp>
#include "fuzz_types.hpp"

namespace {

template <class T>
void decode_and_reencode(std::string_view in) {
  namespace rc = redis_cache::codec;
  try {
    T v = rc::decode_value<T>(in);
    std::string bytes;
    rc::encode_value(v, bytes);
    T again = rc::decode_value<T>(bytes);  // what we wrote must read back ...
    std::string key1, key2;                // ... as the same value (canonical bytes)
    rc::append_key_args(key1, v);
    rc::append_key_args(key2, again);
    if (key1 != key2) std::abort();
  } catch (const redis_cache::DecodeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  decode_and_reencode<rc_fuzz::Item>(in);
  decode_and_reencode<std::vector<rc_fuzz::Item>>(in);
  decode_and_reencode<std::map<std::string, std::vector<std::optional<std::int64_t>>>>(in);
  try {
    const std::string json = redis_cache::codec::msgpack_to_json(in);
    if (json.empty()) std::abort();
  } catch (const redis_cache::DecodeError&) {
  }
  return 0;
}
