// redis-cache CLI: the stored key layout (DESIGN.md §3) taken apart and built.
//
//   {<prefix>:<ns>}:<schema>:<base64 args>   a value (msgpack / json codec)
//   {<prefix>:<ns>}:<base64 json object>     a value (python codec)
//   {<prefix>:<ns>}:keys | :schema           FIFO index | schema note
//   {<prefix>:<ns>}:lock:<schema>:<args>     stampede lock
// Without cluster braces the same with "<prefix>:<ns>:"; a namespace may then
// contain ':' so those keys are read from the right.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rc_cli {

enum class KeyKind { value, python_value, index, note, lock };

struct KeyParts {
  std::string ns;
  bool braced = true;
  KeyKind kind = KeyKind::value;
  std::string schema;    ///< 8 hex digits; empty for python values, index, note
  std::string args_b64;  ///< base64 of the arguments (value, python_value, lock)
};

/// Takes a key apart; nullopt when it is not a key of this prefix's layout.
std::optional<KeyParts> parse_key(std::string_view key, std::string_view prefix);

/// "{prefix:ns}:" (braced) or "prefix:ns:".
std::string ns_prefix(std::string_view prefix, std::string_view ns, bool braced);

/// Exactly 8 lowercase hex digits (a schema fingerprint).
bool is_schema_hex(std::string_view s);

}  // namespace rc_cli
