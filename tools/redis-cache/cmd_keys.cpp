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
        json::value args = args_or_note(p->args_b64, note.find(p->schema));
        std::string text = to_json(args);
        if (!match.empty() && ::fnmatch(match.c_str(), text.c_str(), 0) != 0) continue;
        entries.push_back({&ref, std::move(*p), k, std::move(args), std::move(text)});
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
      const long long size = r[2 * (j - i) + 1].integer();
      const Entry& e = entries[j];
      if (s.settings().json) {
        rows.push_back(json::object{{"key", e.key},
                                    {"args", e.args},
                                    {"schema", e.parts.schema},
                                    {"ttl", ttl ? json::value(*ttl) : nullptr},
                                    {"size", size}});
      } else {
        t.row({e.args_text, e.parts.schema.empty() ? "-" : e.parts.schema, ttl_text(ttl),
               human_bytes(size)});
      }
    }
  }
  if (s.settings().json)
    out(to_json(json::object{{"ns", ns}, {"total", total}, {"entries", std::move(rows)}}) + "\n");
  else if (!t.empty())
    out(t.str());
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
