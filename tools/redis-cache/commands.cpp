// redis-cache CLI: the commands (ls, stats, keys, get, fifo, rm, schema).
#include "commands.hpp"

#include <redis_cache/codec/base64.hpp>

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

namespace rc_cli {

using rcd::Reply;
using rcd::ReplyType;

namespace {

/// PTTL reply -> seconds left (rounded up), or nullopt for "no expiry" / missing.
std::optional<long long> ttl_seconds(const rcd::ReplyRef& r) {
  if (r.type() != ReplyType::integer || r.integer() < 0) return std::nullopt;
  return (r.integer() + 999) / 1000;
}

std::string ttl_text(const std::optional<long long>& t) {
  return t ? human_seconds(*t) : std::string("none");
}

std::string display_ns(const NsRef& ref, const Settings& s) {
  return ref.braced || s.braces == Braces::off ? ref.ns : ref.ns + " (no braces)";
}

const json::value* note_result(const json::value* note) {
  return note && note->is_object() ? note->as_object().if_contains("result") : nullptr;
}

std::string signature(const json::value& note) {
  std::string sig = "(";
  if (const auto* a = note.is_object() ? note.as_object().if_contains("args") : nullptr;
      a && a->is_array()) {
    for (std::size_t i = 0; i < a->as_array().size(); ++i)
      sig += (i ? ", " : "") + render_type(a->as_array()[i]);
  }
  sig += ")";
  if (const auto* r = note_result(&note)) sig += " -> " + render_type(*r);
  return sig;
}

// ---- per-namespace statistics (ls, stats) ----------------------------------------------------

struct NsStats {
  NsRef ref;
  std::size_t entries = 0, locks = 0;
  bool index = false, note = false;
  std::set<std::string> schemas;
  std::optional<long long> ttl_min, ttl_max;
  std::size_t no_expiry = 0;
  std::vector<std::string> sample;  // reservoir of value keys for MEMORY USAGE
  std::optional<long long> memory;
  bool memory_sampled = false;
  std::optional<long long> fifo_size, fifo_limit;
  std::string function;
};

constexpr std::size_t kMemorySample = 64;

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
    const std::string index = st.ref.prefix + "keys", note = st.ref.prefix + "schema";
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

// ---- looking entries up by arguments (get / rm --args) ---------------------------------------

struct Candidate {
  NsRef ref;
  std::string hex;
  std::string key;
  const json::value* note = nullptr;
};

/// --args: a JSON array of the arguments, or (Codec::python namespaces) an object of
/// them by name.
json::value parse_args(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec)
    throw CliError(exit_usage, "malformed --args '" + text + "': " + ec.message() +
                                   " (expected a JSON array of the arguments, e.g. --args "
                                   "'[7, \"en\"]')");
  if (!v.is_array() && !v.is_object())
    throw CliError(exit_usage, "--args must be a JSON array of the arguments (got " + to_json(v) +
                                   "), e.g. --args '[7]' for f(7); for a Codec::python "
                                   "namespace an object by name, e.g. '{\"x\": 7}'");
  return v;
}

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

/// Every key the arguments may have (each schema version, each container order; the
/// one python key for an object); `notes` keeps the notes the candidates point into.
std::vector<Candidate> candidates(Session& s, const std::vector<NsRef>& refs,
                                  const json::value& args, std::vector<Note>& notes) {
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
              to_json(*python_args));
      for (const auto& h : hexes) note.versions.push_back({h, nullptr});
    }
    for (const auto& v : note.versions) {
      const json::array* schemas = nullptr;
      if (v.note.is_object())
        if (const auto* a = v.note.as_object().if_contains("args"); a && a->is_array())
          schemas = &a->as_array();
      for (SortOrder order : {SortOrder::by_value, SortOrder::by_bytes, SortOrder::as_given}) {
        try {
          std::string key = ref.prefix + v.hex + ":";
          redis_cache::codec::base64_append(key, encode_args(args.get_array(), schemas, order));
          if (std::none_of(out.begin(), out.end(), [&](const auto& c) { return c.key == key; }))
            out.push_back({ref, v.hex, std::move(key), v.note.is_null() ? nullptr : &v.note});
        } catch (const ArgsError& e) {
          error("schema " + v.hex + ": " + e.what());
        }
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

/// The candidates whose key exists.
std::vector<Candidate> present(Session& s, std::vector<Candidate> cands) {
  std::vector<Candidate> out;
  for (auto& c : cands)
    if (s.command(c.ref.prefix, {"EXISTS", c.key}).integer() > 0) out.push_back(std::move(c));
  return out;
}

/// What detail::io::invalidate / invalidate_all need to know of a function.
std::unique_ptr<rcd::FunctionState> state_for(Session& s, const NsRef& ref) {
  auto st = std::make_unique<rcd::FunctionState>();
  st->core = s.core_ptr();
  st->ns = ref.ns;
  st->ns_prefix = ref.prefix;
  st->index_key = rcd::keys::index_key(ref.prefix);
  st->note_key = rcd::keys::note_key(ref.prefix);
  st->limit = 1;  // so invalidate() also removes the key from the FIFO index
  return st;
}

bool confirm(const std::string& question, bool yes) {
  if (yes) return true;
  if (::isatty(STDIN_FILENO) != 1)
    throw CliError(exit_usage,
                   "refusing to delete without confirmation: stdin is not a "
                   "terminal; pass --yes to delete anyway");
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

int show_entry(Session& s, const std::string& key) {
  const auto parts = parse_key(key, s.settings().prefix);
  const std::string route = parts ? ns_prefix(s.settings().prefix, parts->ns, parts->braced) : key;
  auto r = s.pipeline(route, {{"GET", key}, {"PTTL", key}});
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
  json::value value = decode_or_note(bytes);
  if (const auto* res = note_result(schema_note)) value = label(value, *res);
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
    return exit_ok;
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
  return exit_ok;
}

}  // namespace

// ---- ls ----------------------------------------------------------------------------------------

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
      std::string ttl = "-";
      if (st.ttl_min) {
        ttl = human_seconds(*st.ttl_min);
        if (*st.ttl_max != *st.ttl_min || st.no_expiry) ttl += ".." + human_seconds(*st.ttl_max);
        if (st.no_expiry) ttl += ", none";
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
  if (all.empty()) {
    std::cerr << "redis-cache: no cached namespaces under prefix '" << s.settings().prefix << "'\n";
    return exit_not_found;
  }
  return exit_ok;
}

// ---- stats -------------------------------------------------------------------------------------

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
  return exit_ok;
}

// ---- keys --------------------------------------------------------------------------------------

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

// ---- get ---------------------------------------------------------------------------------------

int cmd_get(Session& s, const std::string& key_or_ns, const std::optional<std::string>& args) {
  if (!args) return show_entry(s, key_or_ns);
  const json::value a = parse_args(*args);  // usage errors before any I/O
  const auto refs = s.existing(key_or_ns);
  std::vector<Note> notes;
  const auto found = present(s, candidates(s, refs, a, notes));
  if (found.empty())
    throw CliError(exit_not_found, "no entry for --args " + to_json(a) + " in '" + key_or_ns + "'");
  return show_entry(s, found.front().key);
}

// ---- fifo --------------------------------------------------------------------------------------

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
    const std::string index = ref.prefix + "keys";
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

// ---- rm ----------------------------------------------------------------------------------------

int cmd_rm(Session& s, const std::string& ns, const std::optional<std::string>& args, bool yes) {
  std::optional<json::value> a;
  if (args) a = parse_args(*args);
  const auto refs = s.existing(ns);
  std::size_t removed = 0;
  if (a) {
    std::vector<Note> notes;
    const auto found = present(s, candidates(s, refs, *a, notes));
    if (found.empty())
      throw CliError(exit_not_found, "no entry for --args " + to_json(*a) + " in '" + ns + "'");
    std::string what = "Delete the entry " + to_json(*a) + " of '" + ns + "'";
    if (found.size() > 1) what += " (" + std::to_string(found.size()) + " schema versions)";
    if (!confirm(what + "?", yes)) {
      std::cerr << "redis-cache: nothing deleted\n";
      return exit_not_found;
    }
    for (const auto& c : found) removed += rcd::io::invalidate(*state_for(s, c.ref), c.key) ? 1 : 0;
  } else {
    std::size_t count = 0;
    for (const auto& ref : refs)
      s.scan(ref, [&](std::span<const std::string> batch) { count += batch.size(); });
    if (!confirm("Delete all " + std::to_string(count) + " keys of '" + ns + "' (prefix '" +
                     s.settings().prefix + "')?",
                 yes)) {
      std::cerr << "redis-cache: nothing deleted\n";
      return exit_not_found;
    }
    // The library's own invalidate_all: the same scan, the same batched UNLINK.
    for (const auto& ref : refs) {
      removed += rcd::io::invalidate_all(*state_for(s, ref));
    }
  }
  if (s.settings().json)
    out(to_json(json::object{{"ns", ns}, {"removed", removed}}) + "\n");
  else
    out("removed " + std::to_string(removed) + " key" + (removed == 1 ? "" : "s") + " of " + ns +
        "\n");
  return removed > 0 ? exit_ok : exit_not_found;
}

// ---- schema ------------------------------------------------------------------------------------

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
  if (!any)
    throw CliError(exit_not_found, "no schema note for '" + ns +
                                       "' (the library writes it when it first stores a value "
                                       "in a process)");
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
