// redis-cache CLI: rm, one entry (by arguments) or a whole namespace, through the
// library's own invalidate / invalidate_all.
#include "commands.hpp"

#include <unistd.h>

#include <iostream>
#include <memory>

#include "common.hpp"
#include "lookup.hpp"

namespace rc_cli {

namespace {

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

}  // namespace

int cmd_rm(Session& s, const std::string& ns, const std::optional<std::string>& args, bool yes) {
  std::optional<json::value> a;
  if (args) a = parse_args(*args);
  const auto refs = s.existing(ns);
  std::size_t removed = 0;
  if (a) {
    std::vector<Note> notes;
    const auto found = present(s, candidates(s, refs, *args, *a, notes));
    if (found.empty())
      throw CliError(exit_not_found,
                     "no entry for --args " + clip(to_json(*a)) + " in '" + ns + "'");
    std::string what = "Delete the entry " + clip(to_json(*a)) + " of '" + ns + "'";
    if (found.size() > 1) what += " (" + std::to_string(found.size()) + " schema versions)";
    if (!confirm(what + "?", yes)) {
      std::cerr << "redis-cache: nothing deleted\n";
      return exit_not_found;
    }
    for (const auto& c : found) removed += rcd::io::invalidate(*state_for(s, c.ref), c.key) ? 1 : 0;
  } else {
    if (!yes) {  // the question says how many
      std::size_t count = 0;
      for (const auto& ref : refs)
        s.scan(ref, [&](std::span<const std::string> batch) { count += batch.size(); });
      if (!confirm("Delete all " + std::to_string(count) + " keys of '" + ns + "' (prefix '" +
                       s.settings().prefix + "')?",
                   false)) {
        std::cerr << "redis-cache: nothing deleted\n";
        return exit_not_found;
      }
    }
    // The library's own invalidate_all: the same scan, the same batches of UNLINK (the
    // server frees the memory in the background; no command blocks it for long), with
    // how far it got on stderr.
    for (const auto& ref : refs) {
      Progress scanning("scanning '" + display_ns(ref, s.settings()) + "'", s.settings().progress);
      Progress removing("removing '" + display_ns(ref, s.settings()) + "'", s.settings().progress);
      rcd::io::RemovalProgress progress{[&](std::size_t n) { scanning.set(n); },
                                        [&](std::size_t done, std::size_t total) {
                                          scanning.clear();
                                          removing.set(done, total);
                                        }};
      removed += rcd::io::invalidate_all(*state_for(s, ref), progress).keys;
    }
  }
  if (s.settings().json)
    out(to_json(json::object{{"ns", ns}, {"removed", removed}}) + "\n");
  else
    out("removed " + std::to_string(removed) + " key" + (removed == 1 ? "" : "s") + " of " + ns +
        "\n");
  return removed > 0 ? exit_ok : exit_not_found;
}

}  // namespace rc_cli
