// The key layout: see key_layout.hpp.
#include "key_layout.hpp"

#include <redis_cache/codec/base64.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/errors.hpp>

#include <cstdint>
#include <cstdio>

namespace redis_cache::detail::keys {

namespace {

bool is_base64(std::string_view s) {
  return !s.empty() && s.size() % 4 == 0 &&
         s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
             std::string_view::npos;
}

// python-redis-cache keys hold base64 of a JSON object: {"arg": value, ...}.
bool is_python_args(std::string_view b64) {
  std::string raw;
  if (!is_base64(b64) || !codec::base64_decode(b64, raw)) return false;
  return raw.size() >= 2 && raw.front() == '{' && raw.back() == '}';
}

// rest = what follows "{prefix:ns}:" — no ambiguity about the namespace.
bool classify_braced(std::string_view rest, KeyParts& out) {
  if (rest == "keys") return out.kind = KeyKind::index, true;
  if (rest == "schema") return out.kind = KeyKind::note, true;
  if (rest.starts_with("lock:")) {
    out.kind = KeyKind::lock;
    rest.remove_prefix(5);
  } else {
    out.kind = KeyKind::value;
  }
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    if (out.kind != KeyKind::value || !is_python_args(rest)) return false;
    out.kind = KeyKind::python_value;
    out.args_b64 = rest;
    return true;
  }
  const std::string_view head = rest.substr(0, colon), tail = rest.substr(colon + 1);
  if (!is_schema_hex(head) || !is_base64(tail)) return false;
  out.schema = head;
  out.args_b64 = tail;
  return true;
}

// rest = "<ns>:<...>" without braces: read from the right.
bool classify_unbraced(std::string_view rest, KeyParts& out) {
  auto cut_last = [](std::string_view& s) -> std::optional<std::string_view> {
    const auto c = s.rfind(':');
    if (c == std::string_view::npos) return std::nullopt;
    std::string_view last = s.substr(c + 1);
    s = s.substr(0, c);
    return last;
  };
  std::string_view s = rest;
  const auto last = cut_last(s);
  if (!last || s.empty()) return false;
  if (*last == "keys" || *last == "schema") {
    out.kind = *last == "keys" ? KeyKind::index : KeyKind::note;
    out.ns = s;
    return true;
  }
  if (!is_base64(*last)) return false;
  std::string_view before = s;
  const auto schema = cut_last(before);
  if (schema && is_schema_hex(*schema) && !before.empty()) {
    out.schema = *schema;
    out.args_b64 = *last;
    out.kind = KeyKind::value;
    std::string_view ns = before;
    if (ns.ends_with(":lock") && ns.size() > 5) {
      out.kind = KeyKind::lock;
      ns.remove_suffix(5);
    }
    out.ns = ns;
    return true;
  }
  if (!is_python_args(*last)) return false;
  out.kind = KeyKind::python_value;
  out.args_b64 = *last;
  out.ns = s;
  return true;
}

// Whether `rest` (a key minus its namespace prefix) is a value key's rest:
// "<8 hex>:<base64 msgpack array>" (msgpack, json codecs) or "<base64 JSON
// object>" (python codec). Stricter than parse(): the arguments must decode.
bool is_value_key_rest(std::string_view rest) {
  std::string bytes;
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return is_python_args(rest);
  const std::string_view schema = rest.substr(0, colon), args = rest.substr(colon + 1);
  if (!is_schema_hex(schema)) return false;
  if (!codec::base64_decode(args, bytes) || bytes.empty()) return false;
  const auto first = static_cast<unsigned char>(bytes.front());
  const bool array = (first >= 0x90 && first <= 0x9f) || first == 0xdc || first == 0xdd;
  if (!array) return false;
  try {
    (void)codec::msgpack_to_json(bytes);  // exactly one well-formed value
    return true;
  } catch (const DecodeError&) {
    return false;
  }
}

}  // namespace

bool is_schema_hex(std::string_view s) {
  return s.size() == 8 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string ns_prefix(std::string_view prefix, std::string_view ns, bool braced) {
  std::string p;
  p.reserve(prefix.size() + ns.size() + 4);
  if (braced) p += '{';
  p += prefix;
  p += ':';
  p += ns;
  if (braced) p += '}';
  p += ':';
  return p;
}

std::string tracking_prefix(std::string_view prefix, bool braced) {
  std::string p;
  if (braced) p += '{';
  p += prefix;
  p += ':';
  return p;
}

std::string index_key(std::string_view ns_prefix) {
  return std::string(ns_prefix) + "keys";
}

std::string note_key(std::string_view ns_prefix) {
  return std::string(ns_prefix) + "schema";
}

std::string schema_segment(Codec codec, std::string_view msgpack_schema) {
  switch (codec) {
    case Codec::msgpack:
      return std::string(msgpack_schema);
    case Codec::json: {
      // Keys as msgpack's, but a schema segment of its own: a value written by one
      // codec is never read by the other (the JSON "7" is also the msgpack 55).
      std::uint32_t h = 2166136261u;
      for (char c : std::string(msgpack_schema) + ":json")
        h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
      char hex[9];
      std::snprintf(hex, sizeof hex, "%08x", h);
      return hex;
    }
    case Codec::python:
      return {};  // python-redis-cache keys have no schema segment
  }
  return std::string(msgpack_schema);
}

std::string value_prefix(std::string_view ns_prefix, std::string_view segment) {
  std::string p(ns_prefix);
  if (!segment.empty()) {
    p += segment;
    p += ':';
  }
  return p;
}

std::string lock_key(std::string_view ns_prefix, std::string_view value_key) {
  std::string k;
  k.reserve(value_key.size() + 5);
  k += ns_prefix;
  k += "lock:";
  k += value_key.substr(ns_prefix.size());
  return k;
}

std::string glob_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string scan_pattern(std::string_view ns_prefix) {
  return glob_escape(ns_prefix) + "*";
}

std::string prefix_pattern(std::string_view prefix, bool braced) {
  // Appended, not `"{" + ...`: gcc 12 at -O3 warns a false -Wrestrict on that form.
  std::string pattern = braced ? "{" : "";
  pattern += glob_escape(prefix);
  pattern += ":*";
  return pattern;
}

// With braces the prefix "{rc:ns}:" is unambiguous (a namespace never contains
// braces); without, the rest must be one of the shapes the cache writes.
bool belongs_to(std::string_view key, std::string_view ns_prefix) {
  if (key.substr(0, ns_prefix.size()) != ns_prefix) return false;
  if (ns_prefix.size() >= 2 && ns_prefix.substr(ns_prefix.size() - 2) == "}:") return true;
  std::string_view rest = key.substr(ns_prefix.size());
  if (rest == "keys" || rest == "schema") return true;
  if (rest.substr(0, 5) == "lock:") rest.remove_prefix(5);
  return is_value_key_rest(rest);
}

void check_namespace(std::string_view ns) {
  if (ns.empty()) throw ConfigError("redis_cache: the namespace of a cached function is empty");
  if (ns.find_first_of("{}") != std::string_view::npos)
    throw ConfigError("redis_cache: namespace \"" + std::string(ns) +
                      "\" contains '{' or '}', which would break the Redis Cluster hash tag; "
                      "choose a namespace without braces");
}

void check_prefix(std::string_view prefix) {
  if (prefix.find_first_of("{}") != std::string_view::npos)
    throw ConfigError("redis_cache: Options::prefix \"" + std::string(prefix) +
                      "\" contains '{' or '}', which would break the Redis Cluster hash tag");
}

std::optional<KeyParts> parse(std::string_view key, std::string_view prefix) {
  KeyParts out;
  if (key.size() > prefix.size() + 2 && key[0] == '{' && key.substr(1, prefix.size()) == prefix &&
      key[prefix.size() + 1] == ':') {
    const std::string_view inner = key.substr(prefix.size() + 2);
    const auto close = inner.find('}');
    if (close == std::string_view::npos || close == 0 || close + 1 >= inner.size() ||
        inner[close + 1] != ':')
      return std::nullopt;
    out.braced = true;
    out.ns = inner.substr(0, close);
    if (!classify_braced(inner.substr(close + 2), out)) return std::nullopt;
    return out;
  }
  if (key.size() > prefix.size() + 1 && key.substr(0, prefix.size()) == prefix &&
      key[prefix.size()] == ':') {
    out.braced = false;
    if (!classify_unbraced(key.substr(prefix.size() + 1), out)) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

}  // namespace redis_cache::detail::keys
