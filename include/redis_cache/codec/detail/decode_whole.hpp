// redis_cache/codec/detail/decode_whole.hpp — the rules every decoder entry point
// (decode_value, decode_json, msgpack_to_json, normalize_json) applies to untrusted bytes:
// nothing over max_decode_bytes is read, the value must use up all the bytes, and an
// exception a user hook throws while decoding becomes a DecodeError.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include <redis_cache/codec/limits.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::codec::detail {

/// read(reader) over all of bytes, with Reader = msgpack_reader or json_reader.
template <class Reader, class Read>
auto decode_whole(std::string_view bytes, Read&& read) {
  if (bytes.size() > codec::max_decode_bytes)
    throw DecodeError("redis_cache: cannot decode value: " + std::to_string(bytes.size()) +
                      " bytes exceed the limit of " + std::to_string(codec::max_decode_bytes));
  Reader r(bytes);
  try {
    auto v = std::forward<Read>(read)(r);
    if (!r.at_end()) r.fail("trailing bytes after the value");
    return v;
  } catch (const DecodeError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {  // e.g. a user hook's unpack() rejecting its input
    throw DecodeError(std::string("redis_cache: cannot decode value: ") + e.what());
  }
}

}  // namespace redis_cache::codec::detail
