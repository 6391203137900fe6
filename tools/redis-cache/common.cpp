// redis-cache CLI: helpers several commands share (see common.hpp).
#include "common.hpp"

#include <algorithm>

#include "args_from_json.hpp"

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

namespace {
/// Whether v holds binary data as the decoder shows it ({"base64": ...}), which the type
/// check would take for an object.
bool has_binary(const json::value& v) {
  if (v.is_array()) return std::any_of(v.get_array().begin(), v.get_array().end(), has_binary);
  if (!v.is_object()) return false;
  if (v.get_object().contains("base64")) return true;
  return std::any_of(v.get_object().begin(), v.get_object().end(),
                     [](const auto& kv) { return has_binary(kv.value()); });
}
}  // namespace

std::string type_mismatch(const json::value& value, const json::value& schema) {
  if (has_binary(value)) return "";
  // The value as the one argument of a function taking the result type: the library's
  // check of JSON against a note, the one get --args uses.
  const std::string arg = "argument 1";
  try {
    rcd::args_from_json("[" + to_json(value) + "]",
                        to_json(json::object{{"args", json::array{schema}}}),
                        rcd::ElementOrder::as_given);
  } catch (const rcd::ArgsJsonError& e) {
    const std::string m(library_message(e));
    if (m.starts_with(arg)) return "value" + m.substr(arg.size());
  } catch (const std::exception&) {
    // not a note the check understands: nothing to say
  }
  return "";
}

std::string redis_type(Session& s, std::string_view route, const std::string& key) {
  const auto r = s.command(route, {"TYPE", key});
  const std::string t(r.type() == ReplyType::status || r.type() == ReplyType::string ? r.str()
                                                                                     : "unknown");
  if (t == "zset") return "a sorted set";
  if (t == "none") return "none";
  return "a " + t;
}

}  // namespace rc_cli
