// redis-cache CLI: small helpers several commands share (TTL and namespace display, the
// schema note's result and signature).
#pragma once

#include <optional>
#include <string>

#include "session.hpp"

namespace rc_cli {

/// PTTL reply -> seconds left (rounded up), or nullopt for "no expiry" / missing.
std::optional<long long> ttl_seconds(const rcd::ReplyRef& r);
/// "1m00s", or "none" for no expiry.
std::string ttl_text(const std::optional<long long>& t);
/// The namespace as listed: "(no braces)" marks keys written without cluster braces.
std::string display_ns(const NsRef& ref, const Settings& s);
/// The note's "result" schema (nullptr without a note).
const json::value* note_result(const json::value* note);
/// "(i32, str) -> shop::Product" from a note.
std::string signature(const json::value& note);
/// Why a decoded value is not of the note's type (schema: the note's "result"), as the
/// library's type check of JSON against a note words it ("value.qty: expected an
/// integer, got \"x\""); "" when it is, or when the check cannot tell (binary data).
std::string type_mismatch(const json::value& value, const json::value& schema);
/// What a key that is no string holds, for messages: "a hash", "a sorted set", ... from
/// its TYPE reply ("none" when it vanished meanwhile).
std::string redis_type(Session& s, std::string_view route, const std::string& key);

}  // namespace rc_cli
