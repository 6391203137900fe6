// redis-cache: see, decode and invalidate what redis_cache keeps in Redis.
//
//   redis-cache ls                          namespaces, entries, memory, TTLs, FIFO size
//   redis-cache keys NS [--match G]         entries with decoded arguments
//   redis-cache get KEY | get NS --args J   one value decoded to JSON (J: array, or
//                                           an object by name for Codec::python)
//   redis-cache fifo NS                     the FIFO index, oldest first
//   redis-cache rm NS [--args J] [--yes]    drop one entry or the whole namespace
//   redis-cache schema NS                   the stored schema note
//   redis-cache stats                       server hits/misses, memory per namespace
// Long scans (ls, stats, keys, rm) show their progress on stderr when it is a terminal
// (--progress: always, --no-progress: never).
// Every command takes --json and works on a redis+cluster:// URL too. Exit codes: 0 ok, 1 not
// found / nothing matched, 2 usage or connection error, 3 found but not decodable or not a
// value (get).
#include <CLI/CLI.hpp>
#include <redis_cache/errors.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "session.hpp"

namespace {

using rc_cli::library_message;

constexpr std::array<std::string_view, 7> kCommands{"ls", "keys",   "get",  "fifo",
                                                    "rm", "schema", "stats"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// The message for a first word that is no command ("" when it is one, or there is none),
/// naming the word and the closest command. CLI11 would only say a subcommand is required.
std::string unknown_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--url" || a == "--prefix" || a == "--timeout") {
      ++i;  // its value
      continue;
    }
    if (a.starts_with("-")) continue;
    if (std::find(kCommands.begin(), kCommands.end(), a) != kCommands.end()) return "";
    std::string list;
    for (const auto c : kCommands) list += (list.empty() ? "" : ", ") + std::string(c);
    const auto best = std::min_element(kCommands.begin(), kCommands.end(), [&](auto x, auto y) {
      return edit_distance(a, x) < edit_distance(a, y);
    });
    const std::string hint = edit_distance(a, *best) <= 2 && edit_distance(a, *best) < a.size()
                                 ? "; did you mean '" + std::string(*best) + "'?"
                                 : "";
    return "unknown command '" + rc_cli::clip(a) + "'" + hint + " (commands: " + list + ")";
  }
  return "";
}

/// The message for a redis:// URL that names no host ("" when it names one): the library
/// would quietly take 127.0.0.1:6379, which an operator who typed a URL did not mean.
/// source: where the URL came from, "--url" or "$REDIS_URL".
std::string hostless_url(std::string_view url, const std::string& source) {
  constexpr std::string_view scheme = "redis://";
  if (url.size() < scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), url.begin(),
                  [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }))
    return "";
  std::string_view rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find('?'));
  const auto at = rest.rfind('@');  // the userinfo ends at the last '@', as the library reads it
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest.front() != ':') return "";
  // A password is never echoed.
  return source + " " +
         (at == std::string_view::npos ? "'" + rc_cli::clip(url) + "' " : std::string()) +
         "names no host; write the server's, e.g. redis://127.0.0.1:6379 for this machine";
}

/// A connection failure in the tool's terms: what failed and where, from the library's
/// message, then advice in the tool's flags (the library's speaks of Options fields).
std::string connection_message(const redis_cache::ConnectionError& e, bool timeout_set) {
  std::string m(library_message(e));
  if (const auto cut = m.find("); "); cut != std::string::npos) m.resize(cut + 1);
  if (dynamic_cast<const redis_cache::TimeoutError*>(&e))
    return m + "; the server is slow, paused or unreachable: check --url, or raise --timeout " +
           (timeout_set ? "" : "(milliseconds) ") + "if it is just slow";
  if (dynamic_cast<const redis_cache::ClosedError*>(&e))
    return m + "; it may have restarted: run the command again";
  return m + "; check that redis-server runs there and that --url is right";
}

constexpr const char* kFooter =
    R"(Exit codes: 0 ok, 1 not found or nothing matched, 2 usage or connection error,
3 found but not decodable (get prints why: bytes that do not decode, a value that is not
of the schema note's type, or a key holding a hash, list, ... instead of a value).
Namespaces are the cached functions' namespaces (by default their qualified C++ names,
e.g. 'shop::load_product'); quote them in the shell.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace rc_cli;
  Settings settings;
  if (const char* env = std::getenv("REDIS_URL"); env && *env) settings.url = env;
  bool braces = false, no_braces = false;

  CLI::App app{"redis-cache: see, decode and invalidate what redis_cache keeps in Redis",
               "redis-cache"};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the command too
  app.add_option("--url", settings.url,
                 "Redis URL: redis://, unix://, redis+cluster://host:port[,host:port...] or "
                 "redis+sentinel://host:port[,host:port...]/<master> "
                 "(default: $REDIS_URL, else redis://127.0.0.1:6379/0)");
  app.add_option("--prefix", settings.prefix, "key prefix the cache was created with")
      ->capture_default_str();
  std::optional<long> timeout_ms;
  app.add_option("--timeout", timeout_ms,
                 "connect and command timeout in milliseconds (default: connect 1000, "
                 "commands 5000)")
      ->check(CLI::Range(1L, 3600L * 1000));
  app.add_flag("--json", settings.json, "machine-readable JSON on stdout");
  bool progress = false, no_progress = false;
  auto* p_on = app.add_flag("--progress", progress,
                            "progress of long scans and removals on stderr even when it is no "
                            "terminal (default: only on a terminal, after 300 ms)");
  app.add_flag("--no-progress", no_progress, "no progress on stderr, not even on a terminal")
      ->excludes(p_on);
  auto* b_on = app.add_flag("--cluster-braces", braces,
                            "only keys written with support_cluster (\"{rc:ns}:...\")");
  app.add_flag("--no-cluster-braces", no_braces,
               "only keys written without support_cluster (\"rc:ns:...\"); default: both (a "
               "cluster: braced only)")
      ->excludes(b_on);

  std::string ns, key_or_ns, match;
  std::optional<std::string> args;
  long long limit = 1000;
  bool yes = false;

  auto* ls = app.add_subcommand(
      "ls",
      "every namespace: entries, memory (MEMORY USAGE, sampled when large), TTL range, "
      "FIFO index size / limit (on a cluster: every master)");
  auto* keys = app.add_subcommand(
      "keys", "entries of a namespace: decoded arguments, TTL, value size, schema segment");
  keys->add_option("ns", ns, "namespace")->required();
  keys->add_option("--match", match,
                   "keep entries whose arguments, as compact JSON, match this glob "
                   "(e.g. '*A-1*')");
  keys->add_option("--limit", limit, "show at most N entries (0: all)")->capture_default_str();
  auto* get = app.add_subcommand(
      "get",
      "one value decoded to JSON (field names from the schema note): get KEY, or "
      "get NS --args JSON");
  get->add_option("key", key_or_ns, "a full key, or a namespace with --args")->required();
  get->add_option("--args", args,
                  "the call's arguments as a JSON array, e.g. '[7, \"en\"]'; structs as "
                  "objects (described) or arrays (aggregates). Codec::python namespaces: an "
                  "object by argument name, e.g. '{\"user_id\": 7, \"lang\": \"en\"}'");
  auto* fifo = app.add_subcommand("fifo", "the FIFO index of a namespace, oldest first");
  fifo->add_option("ns", ns, "namespace")->required();
  auto* rm = app.add_subcommand(
      "rm", "delete one entry (--args) or every key of a namespace; asks first unless --yes");
  rm->add_option("ns", ns, "namespace")->required();
  rm->add_option("--args", args,
                 "delete only the entry of these arguments (JSON array; an object by name "
                 "for Codec::python)");
  rm->add_flag("--yes,-y", yes, "do not ask (required when stdin is not a terminal)");
  auto* schema =
      app.add_subcommand("schema", "the schema note: argument and result types, field names");
  schema->add_option("ns", ns, "namespace")->required();
  auto* stats = app.add_subcommand(
      "stats",
      "server keyspace hits / misses and memory (summed over a cluster's masters), and "
      "memory per namespace");
  for (auto* sub : {ls, keys, get, fifo, rm, schema, stats}) sub->footer(kFooter);

  if (const std::string bad = unknown_command(argc, argv); !bad.empty()) {
    std::cerr << "redis-cache: " << bad << "\n";
    return exit_usage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help (code 0) or the error
    return code == 0 ? exit_ok : exit_usage;
  }
  if (keys->parsed() && limit < 0) {
    std::cerr << "redis-cache: --limit " << limit
              << " is not a number of entries: give 0 for all, or N > 0 for at most N\n";
    return exit_usage;
  }
  if (const std::string bad =
          hostless_url(settings.url, app.count("--url") > 0 ? "--url" : "$REDIS_URL");
      !bad.empty()) {
    std::cerr << "redis-cache: " << bad << "\n";
    return exit_usage;
  }
  settings.braces = braces ? Braces::on : (no_braces ? Braces::off : Braces::both);
  settings.progress =
      progress ? ProgressMode::on : (no_progress ? ProgressMode::off : ProgressMode::automatic);
  if (timeout_ms) settings.timeout = std::chrono::milliseconds(*timeout_ms);

  try {
    Session session(settings);
    if (ls->parsed()) return cmd_ls(session);
    if (stats->parsed()) return cmd_stats(session);
    if (keys->parsed()) return cmd_keys(session, ns, match, static_cast<std::size_t>(limit));
    if (get->parsed()) return cmd_get(session, key_or_ns, args);
    if (fifo->parsed()) return cmd_fifo(session, ns);
    if (rm->parsed()) return cmd_rm(session, ns, args, yes);
    if (schema->parsed()) return cmd_schema(session, ns);
    return exit_usage;
  } catch (const CliError& e) {
    std::cerr << "redis-cache: " << e.what() << "\n";
    return e.code;
  } catch (const redis_cache::ConfigError& e) {
    std::string m(library_message(e));
    if (const auto at = m.find("Options::url"); at != std::string::npos) m.replace(at, 12, "--url");
    std::cerr << "redis-cache: " << m << "\n";
    return exit_usage;
  } catch (const redis_cache::ConnectionError& e) {
    std::cerr << "redis-cache: " << connection_message(e, timeout_ms.has_value()) << "\n";
    return exit_usage;
  } catch (const redis_cache::ProtocolError& e) {
    std::string m(library_message(e));
    if (const auto cut = m.find("); "); cut != std::string::npos) m.resize(cut + 1);
    std::cerr << "redis-cache: " << m << "; is that a Redis server? check --url\n";
    return exit_usage;
  } catch (const redis_cache::Error& e) {
    // AUTH, error replies, malformed replies: nothing was done.
    std::cerr << "redis-cache: " << library_message(e) << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "redis-cache: " << library_message(e) << "\n";
    return exit_usage;
  }
}
