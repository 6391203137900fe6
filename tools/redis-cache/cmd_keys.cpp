// redis-cache CLI: keys, the entries of a namespace with decoded arguments, TTL and size.
#include "commands.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <iostream>
#include <tuple>

#include "common.hpp"

namespace rc_cli {

int cmd_keys(Session& s, const std::string& ns, const std::string& match, std::size_t limit) {
  const auto refs = s.existing(ns);
  struct Entry {
    const NsRef* ref;
    KeyParts parts;
    std::string key;
    json::value args;
    std::string args_text;
    bool args_undecodable = false;
  };
  std::vector<Entry> entries;
  std::vector<Note> notes;
  for (const auto& ref : refs) {
    notes.push_back(s.note(ref));
    const Note& note = notes.back();
    s.scan(ref, [&](std::span<const std::string> batch) {
      for (const auto& k : batch) {
        auto p = parse_key(k, s.settings().prefix);
        if (!p || p->ns != ns || (p->kind != KeyKind::value && p->kind != KeyKind::python_value))
          continue;
        std::string why;
        json::value args = args_or_note(p->args_b64, note.find(p->schema), &why);
        std::string text = to_json(args);
        if (!match.empty() && ::fnmatch(match.c_str(), text.c_str(), 0) != 0) continue;
        entries.push_back({&ref, std::move(*p), k, std::move(args), std::move(text), !why.empty()});
      }
    });
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.args_text, a.key) < std::tie(b.args_text, b.key);
  });
  const std::size_t total = entries.size();
  if (limit > 0 && entries.size() > limit) entries.resize(limit);
  json::array rows;
  Table t({"ARGS", "SCHEMA", "TTL", "SIZE"}, {2, 3});
  std::size_t undecodable = 0;
  std::vector<std::string> not_values;  // "KEY is a hash"
  for (std::size_t i = 0; i < entries.size(); i += 500) {
    std::vector<std::vector<std::string_view>> cmds;
    const std::size_t end = std::min(entries.size(), i + 500);
    for (std::size_t j = i; j < end; ++j) {
      cmds.push_back({"PTTL", entries[j].key});
      cmds.push_back({"STRLEN", entries[j].key});
    }
    auto r = s.pipeline(entries[i].ref->prefix, cmds);
    for (std::size_t j = i; j < end; ++j) {
      const auto ttl = ttl_seconds(r[2 * (j - i)]);
      const auto& strlen = r[2 * (j - i) + 1];
      const Entry& e = entries[j];
      // WRONGTYPE: no cached value but a hash, list, ... under the value's key.
      const std::string type =
          strlen.type() == rcd::ReplyType::integer ? "" : redis_type(s, e.ref->prefix, e.key);
      if (!type.empty()) not_values.push_back(e.key + " is " + type);
      undecodable += e.args_undecodable ? 1 : 0;
      if (s.settings().json) {
        json::object row{{"key", e.key},
                         {"args", e.args},
                         {"schema", e.parts.schema},
                         {"ttl", ttl ? json::value(*ttl) : nullptr},
                         {"size", type.empty() ? json::value(strlen.integer()) : nullptr}};
        if (!type.empty()) row["redis_type"] = type.substr(type.find(' ') + 1);
        rows.push_back(std::move(row));
      } else {
        // Arguments that do not decode show as the start of their segment; long ones are
        // cut: one line per entry.
        const std::string args = e.args_undecodable
                                     ? "(undecodable) " + e.parts.args_b64.substr(0, 16) +
                                           (e.parts.args_b64.size() > 16 ? "..." : "")
                                     : clip(e.args_text);
        t.row({args, e.parts.schema.empty() ? "-" : e.parts.schema, ttl_text(ttl),
               type.empty() ? human_bytes(strlen.integer()) : "(" + type + ")"});
      }
    }
  }
  if (s.settings().json)
    out(to_json(json::object{{"ns", ns}, {"total", total}, {"entries", std::move(rows)}}) + "\n");
  else if (!t.empty())
    out(t.str());
  if (undecodable > 0)
    std::cerr << "redis-cache: the arguments of " << undecodable << " of the keys shown do not "
              << "decode (redis-cache keys '" << ns << "' --json shows their keys)\n";
  for (const auto& k : not_values) std::cerr << "redis-cache: " << k << ", not a cached value\n";
  if (total > entries.size())
    std::cerr << "redis-cache: showing " << entries.size() << " of " << total
              << " entries (--limit 0 for all)\n";
  if (total == 0) {
    std::cerr << "redis-cache: no entries in '" << ns << "'"
              << (match.empty() ? "" : " match '" + match + "'") << "\n";
    return exit_not_found;
  }
  return exit_ok;
}

}  // namespace rc_cli
