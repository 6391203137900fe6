// redis-cache CLI: entries looked up by their arguments (see lookup.hpp).
#include "lookup.hpp"

#include <redis_cache/codec/base64.hpp>

#include <algorithm>
#include <optional>
#include <set>

#include "args_from_json.hpp"

namespace rc_cli {

json::value parse_args(const std::string& text) {
  boost::system::error_code ec;
  json::value v = parse_json(text, ec);
  if (ec)
    throw CliError(exit_usage, "malformed --args '" + clip(text) + "': " + ec.message() +
                                   " (expected a JSON array of the arguments, e.g. --args "
                                   "'[7, \"en\"]')");
  if (!v.is_array() && !v.is_object())
    throw CliError(exit_usage, "--args must be a JSON array of the arguments (got " +
                                   clip(to_json(v)) +
                                   "), e.g. --args '[7]' for f(7); for a Codec::python "
                                   "namespace an object by name, e.g. '{\"x\": 7}'");
  return v;
}

namespace {

/// v with every integer made a double (any_int: whether there was one).
json::value ints_as_floats(const json::value& v, bool& any_int) {
  if (v.is_int64() || v.is_uint64()) {
    any_int = true;
    return v.to_number<double>();
  }
  if (v.is_array()) {
    json::array a;
    for (const auto& e : v.get_array()) a.push_back(ints_as_floats(e, any_int));
    return a;
  }
  if (v.is_object()) {
    json::object o;
    for (const auto& kv : v.get_object()) o[kv.key()] = ints_as_floats(kv.value(), any_int);
    return o;
  }
  return v;
}

/// The keys of one schema version: the library's canonical bytes of the arguments, in the
/// orders that may apply (only the first when the note leaves nothing to guess).
void version_keys(const NsRef& ref, const SchemaVersion& v, const std::string& text,
                  std::vector<Candidate>& out) {
  using rcd::ElementOrder;
  // Without a note an object may be a described struct (as given) or a map (sorted).
  const std::vector<ElementOrder> orders =
      v.text.empty()
          ? std::vector{ElementOrder::by_value, ElementOrder::by_bytes, ElementOrder::as_given}
          : std::vector{ElementOrder::by_value, ElementOrder::by_bytes};
  for (const ElementOrder order : orders) {
    const rcd::ArgsBytes a = rcd::args_from_json(text, v.text, order);
    std::string key = ref.prefix + v.hex + ":";
    redis_cache::codec::base64_append(key, a.msgpack);
    if (std::none_of(out.begin(), out.end(), [&](const auto& c) { return c.key == key; }))
      out.push_back({ref, v.hex, std::move(key), v.note.is_null() ? nullptr : &v.note});
    if (!a.order_guessed) break;
  }
}

}  // namespace

std::vector<Candidate> candidates(Session& s, const std::vector<NsRef>& refs,
                                  const std::string& text, const json::value& args,
                                  std::vector<Note>& notes) {
  std::vector<Candidate> out;
  std::vector<std::string> errors;
  auto error = [&](const std::string& msg) {
    if (std::find(errors.begin(), errors.end(), msg) == errors.end()) errors.push_back(msg);
  };
  notes.reserve(refs.size());
  for (const auto& ref : refs) {
    notes.push_back(s.note(ref));
    Note& note = notes.back();
    if (args.is_object()) {
      // Codec::python: "<ns prefix>" + base64(json.dumps({name: value}, sort_keys=True)).
      // No note is written for these, so the names come from --args.
      if (!note.versions.empty()) {
        error("'" + ref.ns +
              "' is not a Codec::python namespace (it has a schema note): give --args as a "
              "JSON array of the arguments");
        continue;
      }
      // Python writes 2.0 for a float argument: 2 is tried both ways.
      bool has_ints = false;
      const json::value floats = ints_as_floats(args, has_ints);
      for (const json::value* a : {&args, &floats}) {
        if (a == &floats && !has_ints) break;
        std::string key = ref.prefix;
        redis_cache::codec::base64_append(key, python_args_json(a->get_object()));
        out.push_back({ref, "", std::move(key), nullptr});
      }
      continue;
    }
    if (note.versions.empty()) {  // no note: the schema segments in use, generic encoding
      std::set<std::string> hexes;
      std::optional<json::value> python_args;  // a python key's arguments, for the message
      s.scan(ref, [&](std::span<const std::string> batch) {
        for (const auto& k : batch) {
          auto p = parse_key(k, s.settings().prefix);
          if (p && p->kind == KeyKind::value) hexes.insert(p->schema);
          if (p && p->kind == KeyKind::python_value && !python_args)
            python_args = args_or_note(p->args_b64, nullptr);
        }
      });
      if (hexes.empty() && python_args)
        error("'" + ref.ns +
              "' is a Codec::python namespace: give --args as a JSON object of the "
              "arguments by name, like a stored entry's " +
              clip(to_json(*python_args)));
      for (const auto& h : hexes) note.versions.push_back({h, nullptr, {}});
    }
    for (const auto& v : note.versions) {
      try {
        version_keys(ref, v, text, out);
      } catch (const rcd::ArgsJsonError& e) {
        error("schema " + v.hex + ": " + e.what());
      }
    }
  }
  if (out.empty() && !errors.empty()) {
    std::string msg = "--args do not fit the arguments of '" + refs.front().ns + "':";
    for (const auto& e : errors) msg += "\n  " + e;
    throw CliError(exit_usage, msg);
  }
  return out;
}

std::vector<Candidate> present(Session& s, std::vector<Candidate> cands) {
  std::vector<Candidate> out;
  for (auto& c : cands)
    if (s.command(c.ref.prefix, {"EXISTS", c.key}).integer() > 0) out.push_back(std::move(c));
  return out;
}

}  // namespace rc_cli
