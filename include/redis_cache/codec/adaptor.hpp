// redis_cache/codec/adaptor.hpp — the customization hook: encode a type your own way.
//
// By default the codec encodes a user type by reflection (Boost.Describe → msgpack
// map by field name, plain aggregates via Boost.PFR → msgpack array in field order).
// To choose the encoding yourself, specialize redis_cache::codec::adaptor<T> with two
// static functions that map T to and from a *representation* — any type the codec
// already handles (a string, an integer, a tuple, a described struct, ...):
//
//   struct Money { std::int64_t cents; std::string currency; };   // or a class with invariants
//
//   template <>
//   struct redis_cache::codec::adaptor<Money> {
//     static std::string pack(const Money& m) {                     // T -> representation
//       return std::to_string(m.cents) + ' ' + m.currency;
//     }
//     static Money unpack(std::string s);                           // representation -> T
//   };
//
// Rules:
//   * The representation type is the decayed return type of pack(); unpack() takes it
//     (by value, const& or &&) and returns T. T need not be default-constructible.
//   * The hook wins over everything else: reflection, enums, std containers.
//   * Keys stay canonical because the representation is encoded canonically.
//   * The schema fingerprint covers T's name and the representation's schema. When
//     you change the meaning of pack()'s output without changing its type, add
//       static constexpr std::string_view schema_version = "2";
//     to the specialization: it is folded into the fingerprint.
//   * unpack() may throw to reject a representation (validation); decode_value turns
//     any std::exception from it into redis_cache::DecodeError (the entry is a miss).
//   * Constrained partial specializations work too:
//       template <class T> requires my_trait<T> struct redis_cache::codec::adaptor<T> {...};
//
// A type that already has a msgpack-cxx adaptor of its own (a msgpack_pack member
// template, as MSGPACK_DEFINE / _ARRAY / _MAP write, or a msgpack::adaptor::pack/convert
// specialization made known with
// `template <> inline constexpr bool redis_cache::codec::use_msgpack_adaptor<T> = true;`)
// is encoded with that adaptor instead (values only; such types are not canonical in
// keys unless their adaptor is). Files that cache such a type include
// <redis_cache/codec/msgpack_native.hpp> (the library itself never parses msgpack-cxx).
#pragma once

namespace redis_cache::codec {

/// Specialize with `static Repr pack(const T&)` and `static T unpack(Repr)`; see above.
template <class T>
struct adaptor {};

/// Set to true for a type that has a msgpack-cxx adaptor (pack and convert) of its own.
template <class T>
inline constexpr bool use_msgpack_adaptor = false;

}  // namespace redis_cache::codec
