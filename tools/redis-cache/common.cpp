// redis-cache CLI: helpers several commands share (see common.hpp).
#include "common.hpp"

namespace rc_cli {

using rcd::ReplyType;

std::optional<long long> ttl_seconds(const rcd::ReplyRef& r) {
  if (r.type() != ReplyType::integer || r.integer() < 0) return std::nullopt;
  return (r.integer() + 999) / 1000;
}

std::string ttl_text(const std::optional<long long>& t) {
  return t ? human_seconds(*t) : std::string("none");
}

std::string display_ns(const NsRef& ref, const Settings& s) {
  return ref.braced || s.braces == Braces::off ? ref.ns : ref.ns + " (no braces)";
}

const json::value* note_result(const json::value* note) {
  return note && note->is_object() ? note->as_object().if_contains("result") : nullptr;
}

std::string signature(const json::value& note) {
  std::string sig = "(";
  if (const auto* a = note.is_object() ? note.as_object().if_contains("args") : nullptr;
      a && a->is_array()) {
    for (std::size_t i = 0; i < a->as_array().size(); ++i)
      sig += (i ? ", " : "") + render_type(a->as_array()[i]);
  }
  sig += ")";
  if (const auto* r = note_result(&note)) sig += " -> " + render_type(*r);
  return sig;
}

}  // namespace rc_cli
