// redis-cache CLI: schema, the stored schema note: argument and result types, field names.
#include "commands.hpp"

#include <map>
#include <optional>

#include "common.hpp"

namespace rc_cli {

int cmd_schema(Session& s, const std::string& ns) {
  const auto refs = s.existing(ns);
  json::array versions;
  json::object fields;
  std::string function, text;
  bool any = false;
  for (const auto& ref : refs) {
    const Note note = s.note(ref);
    if (note.fields.empty()) continue;
    any = true;
    std::map<std::string, std::size_t> counts;
    s.scan(ref, [&](std::span<const std::string> batch) {
      for (const auto& k : batch)
        if (auto p = parse_key(k, s.settings().prefix); p && p->kind == KeyKind::value)
          ++counts[p->schema];
    });
    for (const auto& [f, v] : note.fields) {
      if (f == "function") function = v;
      if (!is_schema_hex(f)) fields[f] = v;
    }
    for (const auto& v : note.versions) {
      versions.push_back(json::object{{"schema", v.hex},
                                      {"signature", signature(v.note)},
                                      {"entries", counts[v.hex]},
                                      {"note", v.note}});
      text += "schema " + v.hex + "  " + signature(v.note) + "  [" + std::to_string(counts[v.hex]) +
              " entr" + (counts[v.hex] == 1 ? "y" : "ies") + "]\n";
      std::vector<std::string> defs;
      collect_definitions(v.note, defs);
      for (const auto& d : defs) text += "  " + d + "\n";
    }
  }
  if (!any) {
    // Codec::python keys hold their arguments by name and never get a note.
    std::optional<json::value> example;
    for (const auto& ref : refs) {
      s.scan(ref, [&](std::span<const std::string> batch) {
        for (const auto& k : batch)
          if (auto p = parse_key(k, s.settings().prefix);
              !example && p && p->kind == KeyKind::python_value)
            example = args_or_note(p->args_b64, nullptr);
      });
    }
    if (example)
      throw CliError(exit_not_found,
                     "'" + ns +
                         "' is a Codec::python namespace: those get no schema note (their keys "
                         "hold the arguments by name); read an entry with its arguments as a "
                         "JSON object by name, like a stored one: redis-cache get '" +
                         ns + "' --args '" + clip(to_json(*example)) + "'");
    throw CliError(exit_not_found, "no schema note for '" + ns +
                                       "' (the library writes it when it first stores a value "
                                       "in a process)");
  }
  if (s.settings().json) {
    out(to_json(json::object{
            {"ns", ns},
            {"function", function.empty() ? json::value(nullptr) : json::value(function)},
            {"fields", std::move(fields)},
            {"versions", std::move(versions)}}) +
        "\n");
  } else {
    out("namespace  " + ns + "\nfunction   " + function + "\n" + text);
  }
  return exit_ok;
}

}  // namespace rc_cli
