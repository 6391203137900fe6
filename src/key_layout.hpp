// The key layout (DESIGN.md §3), built and taken apart in one place: the
// library, the redis-cache tool and the tests all use these functions.
//
//   {<prefix>:<ns>}:<schema>:<base64 args>   a value (msgpack / json codec)
//   {<prefix>:<ns>}:<base64 json object>     a value (python codec: no schema)
//   {<prefix>:<ns>}:keys                     FIFO index (zset)
//   {<prefix>:<ns>}:schema                   schema note (hash)
//   {<prefix>:<ns>}:lock:<schema>:<args>     stampede lock
// Without cluster braces the same with "<prefix>:<ns>:"; a namespace may then
// contain ':', so such keys are read from the right.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <redis_cache/options.hpp>

namespace redis_cache::detail::keys {

/// What every key of a cache starts with ("{<prefix>:" with braces, "<prefix>:"
/// without): the near cache's CLIENT TRACKING BCAST PREFIX.
std::string tracking_prefix(std::string_view prefix, bool braced);

/// "{prefix:ns}:" (braced, for Redis Cluster hash tags) or "prefix:ns:".
std::string ns_prefix(std::string_view prefix, std::string_view ns, bool braced);
/// The FIFO index of a namespace: ns_prefix + "keys".
std::string index_key(std::string_view ns_prefix);
/// The schema note of a namespace: ns_prefix + "schema".
std::string note_key(std::string_view ns_prefix);
/// The key schema segment under a codec: the fingerprint (msgpack), a fingerprint
/// of its own (json, so one codec never reads the other's values), "" (python).
std::string schema_segment(Codec codec, std::string_view msgpack_schema);
/// What every value key of a function starts with: ns_prefix + "<segment>:",
/// or ns_prefix alone when the segment is empty (python).
std::string value_prefix(std::string_view ns_prefix, std::string_view segment);
/// The stampede lock of value_key (which starts with ns_prefix).
std::string lock_key(std::string_view ns_prefix, std::string_view value_key);

/// Escapes * ? [ ] \ for a SCAN MATCH pattern.
std::string glob_escape(std::string_view s);
/// The SCAN MATCH pattern of every key under ns_prefix (and of longer
/// namespaces that start the same when unbraced: filter with belongs_to).
std::string scan_pattern(std::string_view ns_prefix);
/// The SCAN MATCH pattern of every key under a prefix, all namespaces:
/// "{<prefix>:*" (braced) or "<prefix>:*".
std::string prefix_pattern(std::string_view prefix, bool braced);
/// Whether key is one of the shapes above under exactly this ns_prefix (not a
/// longer namespace that merely starts the same, possible without braces).
bool belongs_to(std::string_view key, std::string_view ns_prefix);

/// Throws ConfigError when ns is unusable (empty, contains '{' or '}').
void check_namespace(std::string_view ns);
/// Throws ConfigError when the key prefix contains '{' or '}'.
void check_prefix(std::string_view prefix);

/// Exactly 8 lowercase hex digits (a schema fingerprint).
bool is_schema_hex(std::string_view s);

enum class KeyKind { value, python_value, index, note, lock };

/// A key taken apart.
struct KeyParts {
  std::string ns;
  bool braced = true;
  KeyKind kind = KeyKind::value;
  std::string schema;    ///< 8 hex digits; empty for python values, index, note
  std::string args_b64;  ///< base64 of the arguments (value, python_value, lock)
};

/// Takes a key apart; nullopt when it is not a key of this prefix's layout.
std::optional<KeyParts> parse(std::string_view key, std::string_view prefix);

}  // namespace redis_cache::detail::keys
