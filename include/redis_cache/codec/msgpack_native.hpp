// redis_cache/codec/msgpack_native.hpp — cache types that have a msgpack-cxx adaptor
// of their own.
//
// A type with MSGPACK_DEFINE (or _ARRAY, _MAP), or one whose msgpack::adaptor::pack /
// convert specializations are made known with
//   template <> inline constexpr bool redis_cache::codec::use_msgpack_adaptor<T> = true;
// is encoded and decoded by that adaptor (see adaptor.hpp). Include this header in the
// files that cache such a type:
//
//   #include <msgpack.hpp>
//   #include <redis_cache/codec/msgpack_native.hpp>
//   struct Legacy { int x; std::string y; MSGPACK_DEFINE(x, y) };
//
// Without it, encoding or decoding such a type fails to compile with a "redis_cache:"
// message naming the type. The rest of the library never includes msgpack-cxx, so a
// translation unit that caches only reflected and std types does not parse it.
#pragma once

#include <cstddef>
#include <exception>

#include <msgpack.hpp>
#include <redis_cache/codec/codec.hpp>

namespace redis_cache::codec::detail {

/// msgpack-cxx stream appending to the writer's string.
struct msgpack_bridge_sink {
  std::string* out;
  void write(const char* p, std::size_t n) { out->append(p, n); }
};

template <class T>
struct msgpack_bridge {
  static void encode(msgpack_writer& w, const T& v) {
    msgpack_bridge_sink sink{w.out};
    msgpack::packer<msgpack_bridge_sink> pk(sink);
    pk.pack(v);
  }

  /// Bounds-checks the value with the codec's reader first, then lets msgpack-cxx
  /// convert it (with the codec's depth limit); any failure is a DecodeError.
  static T decode(msgpack_reader& r) {
    const unsigned char* start = r.p;
    r.skip();  // validates structure and bounds first
    T v{};
    try {
      const msgpack::unpack_limit limit(r.remaining() + 0xffffffffu, 0xffffffffu, 0xffffffffu,
                                        0xffffffffu, 0xffffffffu, codec::max_decode_depth);
      std::size_t off = 0;
      msgpack::object_handle oh =
          msgpack::unpack(reinterpret_cast<const char*>(start),
                          static_cast<std::size_t>(r.p - start), off, nullptr, nullptr, limit);
      oh.get().convert(v);
    } catch (const std::exception& e) {
      fail_at(e.what(), static_cast<std::size_t>(start - r.begin));
    }
    return v;
  }
};

}  // namespace redis_cache::codec::detail
