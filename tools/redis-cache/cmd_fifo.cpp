// redis-cache CLI: fifo, the FIFO index of a namespace, oldest first.
#include "commands.hpp"

#include "common.hpp"

namespace rc_cli {

using rcd::Reply;

int cmd_fifo(Session& s, const std::string& ns) {
  const auto refs = s.existing(ns);
  json::array rows;
  Table t({"#", "INSERTED (UTC)", "AGE", "ARGS", "PRESENT"}, {0, 2});
  bool any_index = false;
  std::optional<long long> limit;
  std::size_t position = 0;
  Reply now_r = s.command(refs.front().prefix, {"TIME"});
  const double now = now_r.size() == 2 ? std::stod(std::string(now_r[0].str())) +
                                             std::stod(std::string(now_r[1].str())) / 1e6
                                       : 0.0;
  for (const auto& ref : refs) {
    const std::string index = rcd::keys::index_key(ref.prefix);
    if (s.command(ref.prefix, {"EXISTS", index}).integer() == 0) continue;
    any_index = true;
    const Note note = s.note(ref);
    if (auto it = note.fields.find("limit"); it != note.fields.end()) {
      try {
        limit = std::stoll(it->second);
      } catch (const std::exception&) {
      }
    }
    Reply z = s.command(ref.prefix, {"ZRANGE", index, "0", "-1", "WITHSCORES"});
    std::vector<std::vector<std::string_view>> exists;
    for (std::size_t i = 0; i + 1 < z.size(); i += 2) exists.push_back({"EXISTS", z[i].str()});
    auto ex = s.pipeline(ref.prefix, exists);
    for (std::size_t i = 0; i + 1 < z.size(); i += 2) {
      const std::string key(z[i].str());
      const double score = std::stod(std::string(z[i + 1].str()));
      const bool is_present = ex[i / 2].integer() > 0;
      const auto p = parse_key(key, s.settings().prefix);
      const json::value args =
          p ? args_or_note(p->args_b64, note.find(p->schema)) : json::value(nullptr);
      ++position;
      if (s.settings().json) {
        rows.push_back(json::object{{"position", position},
                                    {"key", key},
                                    {"args", args},
                                    {"schema", p ? json::value(p->schema) : nullptr},
                                    {"inserted", score},
                                    {"inserted_utc", utc_time(score)},
                                    {"present", is_present}});
      } else {
        const long long age = now > score ? static_cast<long long>(now - score) : 0;
        t.row({std::to_string(position), utc_time(score), human_seconds(age), to_json(args),
               is_present ? "yes" : "no (expired)"});
      }
    }
  }
  if (!any_index)
    throw CliError(exit_not_found, "'" + ns +
                                       "' has no FIFO index: it is cached without a limit "
                                       "(see: redis-cache keys " +
                                       ns + ")");
  if (s.settings().json)
    out(to_json(json::object{{"ns", ns},
                             {"size", position},
                             {"limit", limit ? json::value(*limit) : nullptr},
                             {"entries", std::move(rows)}}) +
        "\n");
  else
    out("oldest first\n" + t.str());
  return exit_ok;
}

}  // namespace rc_cli
