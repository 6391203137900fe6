// redis-cache CLI: per-namespace statistics for ls and stats (see ns_stats.hpp).
#include "ns_stats.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <random>

#include "common.hpp"

namespace rc_cli {

using rcd::ReplyType;

namespace {
constexpr std::size_t kMemorySample = 64;
}  // namespace

std::vector<NsStats> collect(Session& s) {
  std::map<std::pair<std::string, bool>, NsStats> all;
  std::mt19937_64 rng(12345);
  for (bool braced : {true, false}) {
    const Braces b = s.settings().braces;
    if ((braced && b == Braces::off) || (!braced && b == Braces::on)) continue;
    s.scan_prefix(braced, [&](std::span<const std::string> batch, rcd::Connection& conn) {
      // Per value key: PTTL, and TYPE, so that a hash, list, ... at a value's key is
      // counted apart instead of as an entry.
      std::vector<std::vector<std::string_view>> cmds;
      struct Value {
        NsStats* st;
        const std::string* key;
        std::string schema;
      };
      std::vector<Value> values;
      for (const auto& key : batch) {
        auto p = parse_key(key, s.settings().prefix);
        if (!p || p->braced != braced) continue;
        auto [it, fresh] = all.try_emplace({p->ns, braced});
        NsStats& st = it->second;
        if (fresh) st.ref = {p->ns, braced, ns_prefix(s.settings().prefix, p->ns, braced)};
        switch (p->kind) {
          case KeyKind::index:
            st.index = true;
            break;
          case KeyKind::note:
            st.note = true;
            break;
          case KeyKind::lock:
            ++st.locks;
            break;
          case KeyKind::value:
          case KeyKind::python_value:
            cmds.push_back({"PTTL", key});
            cmds.push_back({"TYPE", key});
            values.push_back({&st, &key, p->kind == KeyKind::value ? p->schema : "python"});
            break;
        }
      }
      if (cmds.empty()) return;
      auto replies = conn.pipeline(cmds);
      for (std::size_t i = 0; i < values.size(); ++i) {
        NsStats& st = *values[i].st;
        const std::string& key = *values[i].key;
        const auto& type = replies[2 * i + 1];
        const std::string_view t =
            type.type() == ReplyType::status || type.type() == ReplyType::string ? type.str() : "";
        if (t == "none") continue;  // expired since the scan
        if (t != "string") {
          ++st.wrong_type;
          ++st.wrong_types[std::string(t.empty() ? "unknown" : t)];
          continue;
        }
        ++st.entries;
        st.schemas.insert(std::move(values[i].schema));
        if (st.sample.size() < kMemorySample) {
          st.sample.push_back(key);
        } else {
          std::uniform_int_distribution<std::size_t> d(0, st.entries - 1);
          if (auto j = d(rng); j < kMemorySample) st.sample[j] = key;
        }
        const auto& pttl = replies[2 * i];
        if (auto ttl = ttl_seconds(pttl)) {
          st.ttl_min = st.ttl_min ? std::min(*st.ttl_min, *ttl) : *ttl;
          st.ttl_max = st.ttl_max ? std::max(*st.ttl_max, *ttl) : *ttl;
        } else if (pttl.integer() == -1) {
          ++st.no_expiry;
        }
      }
    });
  }
  std::vector<NsStats> out;
  for (auto& [k, st] : all) {
    std::vector<std::vector<std::string_view>> cmds;
    const std::string index = rcd::keys::index_key(st.ref.prefix),
                      note = rcd::keys::note_key(st.ref.prefix);
    for (const auto& key : st.sample) cmds.push_back({"MEMORY", "USAGE", key});
    cmds.push_back({"ZCARD", index});
    cmds.push_back({"HMGET", note, "function", "limit"});
    auto r = s.pipeline(st.ref.prefix, cmds);
    long long mem = 0;
    bool mem_ok = !st.sample.empty();
    for (std::size_t i = 0; i < st.sample.size(); ++i) {
      if (r[i].type() == ReplyType::integer)
        mem += r[i].integer();
      else
        mem_ok = false;  // MEMORY disabled (or the key just expired)
    }
    if (mem_ok) {
      st.memory_sampled = st.entries > st.sample.size();
      st.memory = st.memory_sampled ? static_cast<long long>(static_cast<double>(mem) /
                                                             static_cast<double>(st.sample.size()) *
                                                             static_cast<double>(st.entries))
                                    : mem;
    }
    const auto& zc = r[st.sample.size()];
    if (st.index && zc.type() == ReplyType::integer) st.fifo_size = zc.integer();
    const auto& hm = r[st.sample.size() + 1];
    if (hm.type() == ReplyType::array && hm.size() == 2) {
      st.function = hm[0].str();
      if (hm[1].type() == ReplyType::string) {
        try {
          st.fifo_limit = std::stoll(std::string(hm[1].str()));
        } catch (const std::exception&) {
        }
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

json::object stats_json(const NsStats& st) {
  json::array schemas;
  for (const auto& h : st.schemas) schemas.push_back(json::string(h));
  return json::object{
      {"ns", st.ref.ns},
      {"cluster_braces", st.ref.braced},
      {"entries", st.entries},
      {"memory_bytes", st.memory ? json::value(*st.memory) : nullptr},
      {"memory_sampled", st.memory_sampled},
      {"ttl_min", st.ttl_min ? json::value(*st.ttl_min) : nullptr},
      {"ttl_max", st.ttl_max ? json::value(*st.ttl_max) : nullptr},
      {"no_expiry", st.no_expiry},
      {"fifo_size", st.fifo_size ? json::value(*st.fifo_size) : nullptr},
      {"fifo_limit", st.fifo_limit ? json::value(*st.fifo_limit) : nullptr},
      {"schemas", std::move(schemas)},
      {"function", st.function.empty() ? json::value(nullptr) : json::value(st.function)},
      {"locks", st.locks},
      {"wrong_type", st.wrong_type},
  };
}

void warn_wrong_types(const std::vector<NsStats>& all, const Settings& settings) {
  static const std::map<std::string, std::string> plural{{"hash", "hashes"},
                                                         {"list", "lists"},
                                                         {"set", "sets"},
                                                         {"zset", "sorted sets"},
                                                         {"stream", "streams"}};
  for (const auto& st : all) {
    if (st.wrong_type == 0) continue;
    std::vector<std::string> parts;
    for (const auto& [type, n] : st.wrong_types) {
      const std::string name = type == "zset" ? "sorted set" : type;
      parts.push_back(std::to_string(n) + " " +
                      (n == 1 ? name : (plural.count(type) ? plural.at(type) : name + "s")));
    }
    std::string what;  // "1 hash and 2 lists"
    for (std::size_t i = 0; i < parts.size(); ++i)
      what += (i == 0 ? "" : (i + 1 == parts.size() ? " and " : ", ")) + parts[i];
    const bool one = st.wrong_type == 1;
    std::cerr << "redis-cache: '" << display_ns(st.ref, settings) << "' holds " << what
              << " where cached values belong; not counted as " << (one ? "an entry" : "entries")
              << " (redis-cache keys '" << st.ref.ns << "' shows which)\n";
  }
}

std::string memory_text(const NsStats& st) {
  if (!st.memory) return "-";
  return (st.memory_sampled ? "~" : "") + human_bytes(*st.memory);
}

}  // namespace rc_cli
