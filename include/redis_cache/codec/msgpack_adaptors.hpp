// redis_cache/codec/msgpack_adaptors.hpp — msgpack-cxx adaptors for reflected user types.
//
// Opt-in. Include this header (after, or instead of, <msgpack.hpp>) in the translation
// units where you want to hand your plain aggregates and described types straight to
// msgpack-cxx:
//
//   #include <redis_cache/codec/msgpack_adaptors.hpp>
//
//   struct Point { int x; int y; };                      // Boost.PFR aggregate
//   msgpack::sbuffer sbuf;
//   msgpack::pack(sbuf, Point{1, 2});                    // same bytes as codec::encode_value
//   auto oh = msgpack::unpack(sbuf.data(), sbuf.size());
//   Point p = oh.get().as<Point>();                      // strict, like codec::decode_value
//
// What is covered — exactly the types the codec itself encodes by reflection
// (kind described, pfr, described_enum; see detail/traits.hpp):
//   * Boost.PFR aggregates                 -> msgpack array of the fields in order
//   * BOOST_DESCRIBE_STRUCT / _CLASS types -> msgpack map field name -> value (bases first)
//   * BOOST_DESCRIBE_ENUM enums            -> the enumerator's name (str)
// Never taken over: std types and anything else msgpack-cxx already handles, types with
// MSGPACK_DEFINE / a msgpack_pack member, types opted in with
// codec::use_msgpack_adaptor<T>, types with the codec::adaptor<T> hook, types declared
// in namespace msgpack, and plain (undescribed) enums (use MSGPACK_ADD_ENUM for those).
// A full specialization of msgpack::adaptor::pack<T> / convert<T> of your own always
// wins over these partial ones; if you write a *partial* specialization for a
// reflectable type, also set `codec::use_msgpack_adaptor<T> = true` to avoid ambiguity.
//
// The bytes are those of codec::encode_value (the whole subtree is written by the codec,
// so nested floats are float64, variants [index, value], durations their count, ...),
// not what msgpack-cxx's own adaptors would write for the nested std types.
//
// convert (object::convert, object::as<T>, operator>>) re-serializes the msgpack::object
// and reads it with codec::decode_value<T>: it is as strict as the codec (wrong arity,
// missing / unknown / duplicate field, unknown enumerator, wrong type, out-of-range
// integer) and throws redis_cache::DecodeError (a std::runtime_error, not
// msgpack::type_error) with a message saying what is wrong. Catch std::exception to
// handle both kinds of failure.
//
// object_with_zone (msgpack::object(v, zone)) builds the object from the same bytes.
// Caveat: msgpack::pack of such an object (or of a double) goes through msgpack-cxx's
// packer, which in 4.x writes integral doubles (2.0, -0.0) as integers; convert() does
// not re-pack that way, so object -> T keeps float fields exact.
//
// Why opt-in: these are partial specializations of msgpack-cxx's class templates for
// every reflectable type. Visible in one translation unit and not in another, a type
// would pack differently depending on includes (an ODR hazard for your own msgpack
// code), and including it everywhere would cost every user compile time. So the library
// never includes it; include it consistently where you use msgpack-cxx with your types.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include <msgpack.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/detail/type_name.hpp>
#include <redis_cache/codec/limits.hpp>
#include <redis_cache/codec/msgpack_native.hpp>
#include <redis_cache/detail/scratch_cap.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::codec {

/// True when msgpack_adaptors.hpp gives T msgpack-cxx adaptors: T is a type the codec
/// encodes by reflection (described struct/class, PFR aggregate, described enum) and not
/// a type of msgpack-cxx itself. Hooked and msgpack-native types are never reflected.
template <class T>
concept msgpack_reflected =
    !std::is_const_v<T> && !std::is_volatile_v<T> && !std::is_reference_v<T> &&
    (detail::kind_v<T> == detail::kind::described || detail::kind_v<T> == detail::kind::pfr ||
     detail::kind_v<T> == detail::kind::described_enum) &&
    !detail::type_name<T>().starts_with("msgpack::");

}  // namespace redis_cache::codec

namespace redis_cache::codec::detail {

/// msgpack-cxx stream appending to a std::string (to re-serialize an object).
struct adaptor_sink {
  std::string* out;
  void write(const char* p, std::size_t n) { out->append(p, n); }
};

/// Writes o back to msgpack bytes for decode_value. Not msgpack::pack(o): msgpack-cxx
/// 4.x packs an integral double (2.0, -0.0) as an integer, which would lose -0.0 and
/// turn a float field into an int. Floats keep their width and bits here. Depth is
/// bounded like the decoder's (a deeper object could not be a valid value anyway).
inline void msgpack_object_bytes(const msgpack::object& o, std::string& out, unsigned depth = 0) {
  adaptor_sink sink{&out};
  msgpack::packer<adaptor_sink> pk(sink);
  auto put_bits = [&](char tag, std::uint64_t bits, int bytes) {
    out.push_back(tag);
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  };
  switch (o.type) {
    case msgpack::type::FLOAT32: {
      const float f = static_cast<float>(o.via.f64);
      std::uint32_t bits = 0;
      std::memcpy(&bits, &f, sizeof bits);
      put_bits(static_cast<char>(0xca), bits, 4);
      return;
    }
    case msgpack::type::FLOAT64: {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &o.via.f64, sizeof bits);
      put_bits(static_cast<char>(0xcb), bits, 8);
      return;
    }
    case msgpack::type::ARRAY:
    case msgpack::type::MAP:
      if (depth >= codec::max_decode_depth)
        throw DecodeError("redis_cache: cannot decode value: nesting deeper than " +
                          std::to_string(codec::max_decode_depth));
      if (o.type == msgpack::type::ARRAY) {
        pk.pack_array(o.via.array.size);
        for (std::uint32_t i = 0; i < o.via.array.size; ++i)
          msgpack_object_bytes(o.via.array.ptr[i], out, depth + 1);
      } else {
        pk.pack_map(o.via.map.size);
        for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
          msgpack_object_bytes(o.via.map.ptr[i].key, out, depth + 1);
          msgpack_object_bytes(o.via.map.ptr[i].val, out, depth + 1);
        }
      }
      return;
    default:  // nil, bool, integers, str, bin, ext: msgpack-cxx writes them as read
      pk.pack(o);
      return;
  }
}

/// The calling thread's buffer for with_encoded (empty while one is in use).
inline std::string& encoded_scratch() noexcept {
  thread_local std::string scratch;
  return scratch;
}

/// The codec bytes of v; reuses a per-thread buffer (taken out while in use, so a
/// re-entrant call from a nested msgpack-native type gets its own), released after
/// bytes above scratch_keep_bytes.
template <class T, class F>
void with_encoded(const T& v, F f) {
  std::string& scratch = encoded_scratch();
  std::string buf = std::move(scratch);
  codec::encode_value(v, buf);
  f(static_cast<const std::string&>(buf));
  redis_cache::detail::release_if_large(buf);
  scratch = std::move(buf);
}

}  // namespace redis_cache::codec::detail

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {

  template <class T>
  struct pack<T, std::enable_if_t<redis_cache::codec::msgpack_reflected<T>>> {
    template <class Stream>
    msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& o, const T& v) const {
      redis_cache::codec::detail::with_encoded(v, [&](const std::string& bytes) {
        // The bytes are already complete msgpack; pack_bin_body appends raw bytes to the
        // stream (the packer has no other raw write). Chunked for the uint32_t length.
        std::size_t at = 0;
        while (at < bytes.size()) {
          const std::size_t n = std::min<std::size_t>(bytes.size() - at, 0x40000000u);
          o.pack_bin_body(bytes.data() + at, static_cast<std::uint32_t>(n));
          at += n;
        }
      });
      return o;
    }
  };

  template <class T>
  struct convert<T, std::enable_if_t<redis_cache::codec::msgpack_reflected<T>>> {
    /// Throws redis_cache::DecodeError when o is not a T as the codec writes it.
    const msgpack::object& operator()(const msgpack::object& o, T& v) const {
      std::string bytes;
      redis_cache::codec::detail::msgpack_object_bytes(o, bytes);
      v = redis_cache::codec::decode_value<T>(bytes);
      return o;
    }
  };

  template <class T>
  struct object_with_zone<T, std::enable_if_t<redis_cache::codec::msgpack_reflected<T>>> {
    void operator()(msgpack::object::with_zone& o, const T& v) const {
      redis_cache::codec::detail::with_encoded(v, [&](const std::string& bytes) {
        std::size_t off = 0;
        // No reference function: strings are copied into o.zone, not pointing at bytes.
        static_cast<msgpack::object&>(o) = msgpack::unpack(o.zone, bytes.data(), bytes.size(), off);
      });
    }
  };

  }  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
