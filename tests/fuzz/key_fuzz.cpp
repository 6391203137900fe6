// libFuzzer target: the key decoder, as the CLI uses it on keys found in
// Redis — the base64 argument segment to bytes, then to typed arguments and
// to JSON. Anything gives a value or DecodeError; a value decoded as typed
// arguments encodes back to a key that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <redis_cache/codec/codec.hpp>

namespace codec = redis_cache::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string bytes;
  if (!codec::base64_decode(text, bytes)) return 0;
  try {
    (void)codec::msgpack_to_json(bytes);
  } catch (const redis_cache::DecodeError&) {
  }
  using Args = std::tuple<std::int64_t, std::string, std::vector<double>>;
  try {
    const Args args = codec::decode_value<Args>(bytes);
    std::string key;
    std::apply([&](const auto&... a) { codec::append_key_args(key, a...); }, args);
    std::string again;
    if (!codec::base64_decode(key, again)) std::abort();
    const Args back = codec::decode_value<Args>(again);
    // NaN != NaN: compare the re-encoded bytes instead of the values.
    std::string key2;
    std::apply([&](const auto&... a) { codec::append_key_args(key2, a...); }, back);
    if (key2 != key) std::abort();
  } catch (const redis_cache::DecodeError&) {
  }
  return 0;
}
