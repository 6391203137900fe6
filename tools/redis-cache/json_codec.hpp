// redis-cache CLI: stored bytes <-> JSON, guided by the schema note when there is one.
//
// Decoding is generic (codec::msgpack_to_json), then labelled with the note: PFR
// aggregates whose note has real field names become objects (positional names
// "0","1",... stay arrays), nested through containers.
// A Codec::python key holds the arguments by name as Python's compact sorted JSON
// (python_args_json). The canonical msgpack of other keys is the library's to build
// (src/args_from_json.hpp).
#pragma once

#include <boost/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rc_cli {

namespace json = boost::json;

/// JSON text as a value, as deep as the library decodes (codec::max_decode_depth; Boost.JSON
/// alone stops at 32). ec: why not, without library source locations.
json::value parse_json(std::string_view text, boost::system::error_code& ec);

/// Value bytes as JSON: msgpack, else JSON text (Codec::json / python). Throws
/// redis_cache::DecodeError when neither.
json::value decode_value(std::string_view bytes);

/// The base64 args segment of a key as JSON (msgpack array, or a python JSON object).
/// Throws redis_cache::DecodeError.
json::value decode_args(std::string_view b64);

/// value labelled with field names from a schema (an element of a note's "args", or
/// its "result"). Returns value unchanged where the schema does not fit it.
json::value label(const json::value& value, const json::value& schema);

/// The arguments segment of a Codec::python key before base64: python-redis-cache's
/// json.dumps(args, separators=(',', ':'), sort_keys=True) of {name: value}, written
/// with the library's Python-compatible writer (ensure_ascii, Python float repr).
std::string python_args_json(const json::object& args);

/// A readable one-line type: "str", "[i32]", "{str: i32}", "shop::Product", "i64?".
std::string render_type(const json::value& schema);
/// Struct and enum definitions reachable from schema, one per line:
///   "shop::Product {sku: str, prices: [shop::Price]}", "shop::Tier = free | pro".
void collect_definitions(const json::value& schema, std::vector<std::string>& out);

/// Compact JSON text.
std::string to_json(const json::value& v);
/// Indented JSON text (two spaces), for people.
std::string to_pretty_json(const json::value& v, int indent = 0);

}  // namespace rc_cli
