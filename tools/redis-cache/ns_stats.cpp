// redis-cache CLI: per-namespace statistics for ls and stats (see ns_stats.hpp).
#include "ns_stats.hpp"

#include <algorithm>
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
      std::vector<std::vector<std::string_view>> pttl;
      std::vector<NsStats*> owners;
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
          case KeyKind::python_value: {
            ++st.entries;
            st.schemas.insert(p->kind == KeyKind::value ? p->schema : "python");
            if (st.sample.size() < kMemorySample) {
              st.sample.push_back(key);
            } else {
              std::uniform_int_distribution<std::size_t> d(0, st.entries - 1);
              if (auto j = d(rng); j < kMemorySample) st.sample[j] = key;
            }
            pttl.push_back({"PTTL", key});
            owners.push_back(&st);
            break;
          }
        }
      }
      if (pttl.empty()) return;
      auto replies = conn.pipeline(pttl);
      for (std::size_t i = 0; i < replies.size(); ++i) {
        NsStats& st = *owners[i];
        if (auto t = ttl_seconds(replies[i])) {
          st.ttl_min = st.ttl_min ? std::min(*st.ttl_min, *t) : *t;
          st.ttl_max = st.ttl_max ? std::max(*st.ttl_max, *t) : *t;
        } else if (replies[i].integer() == -1) {
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
  };
}

std::string memory_text(const NsStats& st) {
  if (!st.memory) return "-";
  return (st.memory_sampled ? "~" : "") + human_bytes(*st.memory);
}

}  // namespace rc_cli
