// redis-cache CLI: stats, the server's hits, misses and memory (summed over a cluster's
// masters) and each namespace's share.
#include "commands.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <map>
#include <sstream>

#include "common.hpp"
#include "ns_stats.hpp"

namespace rc_cli {

using rcd::Reply;
using rcd::ReplyType;

namespace {

/// INFO of one node as key -> value.
std::map<std::string, std::string> parse_info(std::string_view text) {
  std::map<std::string, std::string> kv;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (auto c = line.find(':'); c != std::string::npos) kv[line.substr(0, c)] = line.substr(c + 1);
  }
  return kv;
}

long long info_number(const std::map<std::string, std::string>& kv, const std::string& k) {
  try {
    auto it = kv.find(k);
    return it != kv.end() ? std::stoll(it->second) : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

/// The server side of stats, summed over every node (one server, or each master).
struct ServerInfo {
  std::size_t nodes = 0;
  std::string version;
  long long hits = 0, misses = 0, used = 0;
  std::string used_human;                  // the server's own text when there is one node
  std::map<std::string, std::string> dbs;  // "db0" -> "keys=..,expires=.." (summed)
  std::map<std::string, std::pair<long long, long long>> db_sums;  // keys, expires
};

ServerInfo server_info(Session& s) {
  ServerInfo si;
  s.for_each_node([&](rcd::Connection& conn) {
    const std::array<std::string_view, 1> argv{"INFO"};
    Reply r = conn.command(argv);
    if (r.type() != ReplyType::string) return;
    const auto kv = parse_info(r.str());
    ++si.nodes;
    if (si.version.empty() && kv.count("redis_version")) si.version = kv.at("redis_version");
    si.hits += info_number(kv, "keyspace_hits");
    si.misses += info_number(kv, "keyspace_misses");
    si.used += info_number(kv, "used_memory");
    if (kv.count("used_memory_human")) si.used_human = kv.at("used_memory_human");
    for (const auto& [k, v] : kv) {
      if (!k.starts_with("db") || k.size() <= 2 || !std::isdigit(static_cast<unsigned char>(k[2])))
        continue;
      si.dbs[k] = v;
      auto field = [&](std::string_view name) -> long long {
        const auto at = v.find(std::string(name) + "=");
        if (at == std::string::npos) return 0;
        try {
          return std::stoll(v.substr(at + name.size() + 1));
        } catch (const std::exception&) {
          return 0;
        }
      };
      auto& sum = si.db_sums[k];
      sum.first += field("keys");
      sum.second += field("expires");
    }
  });
  if (si.nodes > 1) {
    si.used_human = human_bytes(si.used);
    for (const auto& [db, sum] : si.db_sums)
      si.dbs[db] = "keys=" + std::to_string(sum.first) + ",expires=" + std::to_string(sum.second);
  }
  return si;
}

}  // namespace

int cmd_stats(Session& s) {
  const ServerInfo si = server_info(s);
  const long long hits = si.hits, misses = si.misses, used = si.used;
  const double ratio =
      hits + misses ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0.0;
  const auto all = collect(s);
  json::object dbs;
  for (const auto& [k, v] : si.dbs) dbs[k] = v;
  if (s.settings().json) {
    json::array nss;
    for (const auto& st : all) {
      json::object o = stats_json(st);
      o["memory_share"] =
          st.memory && used > 0
              ? json::value(static_cast<double>(*st.memory) / static_cast<double>(used))
              : nullptr;
      nss.push_back(std::move(o));
    }
    out(to_json(json::object{{"server", json::object{{"redis_version", si.version},
                                                     {"nodes", si.nodes},
                                                     {"keyspace_hits", hits},
                                                     {"keyspace_misses", misses},
                                                     {"hit_ratio", ratio},
                                                     {"used_memory", used},
                                                     {"used_memory_human", si.used_human},
                                                     {"keyspace", std::move(dbs)}}},
                             {"prefix", s.settings().prefix},
                             {"namespaces", std::move(nss)}}) +
        "\n");
    warn_wrong_types(all, s.settings());
    return exit_ok;
  }
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f%%", ratio * 100);
  const std::string where = si.nodes > 1 ? ", " + std::to_string(si.nodes) + " masters" : "";
  std::string text = "server     redis " + si.version + where + ", " + human_bytes(used) +
                     " used\nkeyspace   " + std::to_string(hits) + " hits, " +
                     std::to_string(misses) + " misses (" + pct + " hit ratio, all clients)\n";
  for (const auto& [db, v] : si.dbs)
    text += db + std::string(11 - std::min<std::size_t>(10, db.size()), ' ') + v + "\n";
  if (!all.empty()) {
    Table t({"NAMESPACE", "ENTRIES", "MEMORY", "SHARE"}, {1, 2, 3});
    for (const auto& st : all) {
      char share[32] = "-";
      if (st.memory && used > 0)
        std::snprintf(share, sizeof share, "%.1f%%",
                      100.0 * static_cast<double>(*st.memory) / static_cast<double>(used));
      t.row({display_ns(st.ref, s.settings()), std::to_string(st.entries), memory_text(st), share});
    }
    text += "\n" + t.str();
  }
  out(text);
  warn_wrong_types(all, s.settings());
  return exit_ok;
}

}  // namespace rc_cli
