// redis-cache CLI: ls, every namespace with its entries, memory, TTL range, FIFO size.
#include "commands.hpp"

#include <iostream>

#include "common.hpp"
#include "ns_stats.hpp"

namespace rc_cli {

int cmd_ls(Session& s) {
  const auto all = collect(s);
  if (s.settings().json) {
    json::array a;
    for (const auto& st : all) a.push_back(stats_json(st));
    out(to_json(json::object{{"prefix", s.settings().prefix}, {"namespaces", std::move(a)}}) +
        "\n");
  } else if (!all.empty()) {
    Table t({"NAMESPACE", "ENTRIES", "MEMORY", "TTL", "FIFO", "SCHEMAS"}, {1, 2});
    for (const auto& st : all) {
      // "1m00s" when every entry shows the same, "59s..1m00s" for a range, then how many
      // have no expiry; "none" when none has one.
      std::string ttl = "-";
      if (st.ttl_min) {
        const std::string lo = human_seconds(*st.ttl_min), hi = human_seconds(*st.ttl_max);
        ttl = lo == hi ? lo : lo + ".." + hi;
        if (st.no_expiry) ttl += ", " + std::to_string(st.no_expiry) + " without expiry";
      } else if (st.no_expiry) {
        ttl = "none";
      }
      std::string fifo = "-";
      if (st.fifo_size)
        fifo = std::to_string(*st.fifo_size) +
               (st.fifo_limit ? "/" + std::to_string(*st.fifo_limit) : std::string());
      t.row({display_ns(st.ref, s.settings()), std::to_string(st.entries), memory_text(st), ttl,
             fifo, std::to_string(st.schemas.size())});
    }
    out(t.str());
  }
  warn_wrong_types(all, s.settings());
  if (all.empty()) {
    std::cerr << "redis-cache: no cached namespaces under prefix '" << s.settings().prefix << "'\n";
    return exit_not_found;
  }
  return exit_ok;
}

}  // namespace rc_cli
