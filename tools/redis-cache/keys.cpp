// redis-cache CLI: parsing and building stored keys (see keys.hpp).
#include "keys.hpp"

#include <redis_cache/codec/base64.hpp>

namespace rc_cli {

namespace {

bool is_base64(std::string_view s) {
  return !s.empty() && s.size() % 4 == 0 &&
         s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
             std::string_view::npos;
}

// python-redis-cache keys hold base64 of a JSON object: {"arg": value, ...}.
bool is_python_args(std::string_view b64) {
  std::string raw;
  if (!is_base64(b64) || !redis_cache::codec::base64_decode(b64, raw)) return false;
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

}  // namespace

bool is_schema_hex(std::string_view s) {
  return s.size() == 8 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string ns_prefix(std::string_view prefix, std::string_view ns, bool braced) {
  std::string p;
  if (braced) p += '{';
  p += prefix;
  p += ':';
  p += ns;
  if (braced) p += '}';
  p += ':';
  return p;
}

std::optional<KeyParts> parse_key(std::string_view key, std::string_view prefix) {
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

}  // namespace rc_cli
