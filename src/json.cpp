// codec::any_value_to_json for tools: see include/redis_cache/codec/json.hpp.
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/detail/compress.hpp>

#include <string>
#include <string_view>

namespace redis_cache::codec {

std::string any_value_to_json(std::string_view bytes) {
  if (detail::is_compressed(bytes)) {
    std::string plain;
    detail::decompress_value(bytes, plain);
    if (detail::is_compressed(plain)) throw DecodeError("redis_cache: value compressed twice");
    return any_value_to_json(plain);
  }
  try {
    return normalize_json(bytes);
  } catch (const DecodeError&) {
    return msgpack_to_json(bytes);
  }
}

}  // namespace redis_cache::codec
