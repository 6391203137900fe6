// redis-cache CLI: the stored key layout, from the library's one owner of it
// (src/key_layout.hpp), under the names the tool uses.
#pragma once

#include <optional>
#include <string_view>

#include "key_layout.hpp"

namespace rc_cli {

using redis_cache::detail::keys::is_schema_hex;
using redis_cache::detail::keys::KeyKind;
using redis_cache::detail::keys::KeyParts;
using redis_cache::detail::keys::ns_prefix;

/// Takes a key apart; nullopt when it is not a key of this prefix's layout.
inline std::optional<KeyParts> parse_key(std::string_view key, std::string_view prefix) {
  return redis_cache::detail::keys::parse(key, prefix);
}

}  // namespace rc_cli
