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

}  // namespace rc_cli
