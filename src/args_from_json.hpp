// Canonical key arguments from JSON: the msgpack bytes a cached function's key carries
// (DESIGN.md §3), rebuilt from the call's arguments written as JSON and the function's
// schema note. For tools that look an entry up by its arguments (the redis-cache CLI);
// internal (src/, target redis_cache_internal), not part of the user-facing API.
//
// The rules are the template encoder's (codec/detail/encode.hpp) with Canonical = true:
// integers in the smallest form, every float as float64 with one NaN, described structs
// as maps of field name -> value in declaration order, PFR aggregates as arrays,
// optional<optional<T>> as [] / [value], variants as [index, value], std::set / std::map
// elements in value order, unordered containers (schema nodes marked "unordered":true)
// sorted by their encoded bytes. tests/unit/args_from_json_test.cpp compares the bytes
// with the template encoder's.
#pragma once

#include <redis_cache/errors.hpp>

#include <string>
#include <string_view>

namespace redis_cache::detail {

/// Arguments that do not fit the function's argument types; the message names the
/// argument and the field ("argument 1.qty: expected an integer, got \"four\"").
class ArgsJsonError : public Error {
 public:
  using Error::Error;
};

/// How to order the elements of a container whose order the note does not state: a map
/// or set node without "unordered" (notes written before that marker said nothing, since
/// then such a node is a std::map / std::set) and, without a note, every JSON object.
enum class ElementOrder {
  by_value,  ///< std::set / std::map: by the elements' values (keys for a map)
  by_bytes,  ///< unordered containers: by encoded bytes
  as_given,  ///< as written (a JSON object without a note may be a described struct)
};

struct ArgsBytes {
  std::string msgpack;         ///< the canonical msgpack array of the arguments (not base64)
  bool order_guessed = false;  ///< a container of >= 2 elements was ordered by `unstated`:
                               ///< another ElementOrder may give another key
};

/// args_json: a JSON array of the arguments (structs as objects by field name or arrays
/// in field order; maps as objects, or arrays of [key, value] pairs for keys JSON objects
/// cannot hold; floats may be "NaN", "Infinity", "-Infinity"). note_json: the function's
/// schema note as stored ({"result":...,"args":[...]}), or empty when there is none: then
/// every value is encoded by its JSON type. Throws ArgsJsonError when the arguments do not
/// fit, DecodeError when note_json is not a note.
ArgsBytes args_from_json(std::string_view args_json, std::string_view note_json,
                         ElementOrder unstated);

}  // namespace redis_cache::detail
