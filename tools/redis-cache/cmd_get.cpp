// redis-cache CLI: get, one value decoded to JSON, by key or by arguments.
#include "commands.hpp"

#include <redis_cache/codec/base64.hpp>

#include <iostream>

#include "common.hpp"
#include "lookup.hpp"

namespace rc_cli {

using rcd::ReplyType;

namespace {

int show_entry(Session& s, const std::string& key) {
  const auto parts = parse_key(key, s.settings().prefix);
  const std::string route = parts ? ns_prefix(s.settings().prefix, parts->ns, parts->braced) : key;
  auto r = s.pipeline(route, {{"GET", key}, {"PTTL", key}});
  if (r[0].type() == ReplyType::error) {  // WRONGTYPE: something else lives at the key
    const std::string type = redis_type(s, route, key);
    if (type != "none")
      throw CliError(exit_undecodable,
                     key + " is " + type + ", not a cached value (the cache stores strings)");
  }
  if (r[0].type() != ReplyType::string)
    throw CliError(
        exit_not_found,
        "no such key: " + key +
            (parts ? "" : " (to look an entry up by its arguments: get NS --args JSON)"));
  const std::string bytes(r[0].str());
  const auto ttl = ttl_seconds(r[1]);
  Note note;
  const json::value* schema_note = nullptr;
  if (parts && parts->kind == KeyKind::value) {
    note = s.note({parts->ns, parts->braced, route});
    schema_note = note.find(parts->schema);
  }
  std::string undecodable;
  json::value value = decode_or_note(bytes, &undecodable);
  std::string problem = undecodable.empty() ? "" : "does not decode: " + undecodable;
  if (const auto* res = note_result(schema_note); res && problem.empty()) {
    // Bytes that decode, but not as the note's type (a 1-byte "x" is the integer 120).
    if (const std::string why = type_mismatch(value, *res); !why.empty()) {
      problem = "does not decode as " + render_type(*res) + ": " + why;
      value = json::object{{"undecodable", problem},
                           {"base64", redis_cache::codec::base64_encode(bytes)}};
    } else {
      value = label(value, *res);
    }
  }
  // Found but not decodable: the diagnostic as the value, and an exit code of its own.
  auto done = [&] {
    if (problem.empty()) return static_cast<int>(exit_ok);
    std::cerr << "redis-cache: " << key << " holds a value that " << problem << "\n";
    return static_cast<int>(exit_undecodable);
  };
  json::value args = parts ? args_or_note(parts->args_b64, schema_note) : json::value(nullptr);
  const json::value type =
      note_result(schema_note) ? json::value(render_type(*note_result(schema_note))) : nullptr;
  if (s.settings().json) {
    out(to_json(json::object{
            {"key", key},
            {"ns", parts ? json::value(parts->ns) : nullptr},
            {"schema", parts && !parts->schema.empty() ? json::value(parts->schema) : nullptr},
            {"args", args},
            {"type", type},
            {"ttl", ttl ? json::value(*ttl) : nullptr},
            {"size", bytes.size()},
            {"value", value}}) +
        "\n");
    return done();
  }
  std::string text = "key    " + key + "\n";
  if (parts) text += "ns     " + parts->ns + "\nargs   " + to_json(args) + "\n";
  if (type.is_string()) text += "type   " + std::string(type.as_string()) + "\n";
  text += "ttl    " + ttl_text(ttl) + "\nsize   " +
          human_bytes(static_cast<long long>(bytes.size())) + "\nvalue  ";
  for (char c : to_pretty_json(value))
    text += c == '\n' ? std::string("\n       ") : std::string(1, c);
  text += "\n";
  out(text);
  return done();
}

}  // namespace

int cmd_get(Session& s, const std::string& key_or_ns, const std::optional<std::string>& args) {
  if (!args) return show_entry(s, key_or_ns);
  const json::value a = parse_args(*args);  // usage errors before any I/O
  const auto refs = s.existing(key_or_ns);
  std::vector<Note> notes;
  const auto found = present(s, candidates(s, refs, *args, a, notes));
  if (found.empty())
    throw CliError(exit_not_found,
                   "no entry for --args " + clip(to_json(a)) + " in '" + key_or_ns + "'");
  return show_entry(s, found.front().key);
}

}  // namespace rc_cli
