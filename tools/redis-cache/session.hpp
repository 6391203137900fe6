// redis-cache CLI: the connection (a CacheCore, so the tool scans namespaces with the
// library's own scanner), namespace lookup, schema notes, progress and output helpers.
#pragma once

#include "cache_core.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.hpp"
#include "json_codec.hpp"
#include "keys.hpp"

namespace rc_cli {

namespace rcd = redis_cache::detail;

/// Exit codes (also in --help).
enum Exit : int { exit_ok = 0, exit_not_found = 1, exit_usage = 2, exit_undecodable = 3 };

/// Ends the command with a message on stderr and an exit code.
struct CliError : std::runtime_error {
  CliError(int code, const std::string& what) : std::runtime_error(what), code(code) {}
  int code;
};

enum class Braces { both, on, off };

/// Progress lines on stderr: when stderr is a terminal (automatic), always (--progress),
/// never (--no-progress).
enum class ProgressMode { automatic, on, off };

struct Settings {
  std::string url = "redis://127.0.0.1:6379/0";
  std::string prefix = "rc";
  bool json = false;
  Braces braces = Braces::both;
  std::optional<std::chrono::milliseconds> timeout;  ///< --timeout: connect and commands
  ProgressMode progress = ProgressMode::automatic;
};

/// One stored form of a namespace: "{rc:ns}:" or "rc:ns:".
struct NsRef {
  std::string ns;
  bool braced = true;
  std::string prefix;  ///< ns_prefix(...)
};

/// One schema version of a namespace: its fingerprint and note (null when absent).
struct SchemaVersion {
  std::string hex;
  json::value note;  ///< {"result":...,"args":[...]} or null
  std::string text;  ///< the note as stored, for args_from_json; empty when it has no "args"
};

/// The schema note hash of a namespace.
struct Note {
  std::map<std::string, std::string> fields;  ///< every field as stored
  std::vector<SchemaVersion> versions;        ///< fields that are schema fingerprints
  const json::value* find(std::string_view hex) const;
};

/// A progress line on stderr for long scans and removals ("scanning {rc:*: 120000 keys"),
/// rewritten in place with \r at most 10 times a second and cleared when done. Shown when
/// stderr is a terminal and the work has taken 300 ms (scripts' output stays clean), or
/// always with --progress (from the first update on, so a test sees it without a terminal).
class Progress {
 public:
  Progress(std::string what, ProgressMode mode);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  /// n more keys done.
  void add(std::size_t n);
  /// done keys of total (total 0: unknown).
  void set(std::size_t done, std::size_t total = 0);
  /// Clears the line (if one is shown); later updates show again.
  void clear();

 private:
  void show();
  std::string what_;
  bool enabled_, forced_;
  bool shown_ = false;
  std::size_t count_ = 0, total_ = 0, updates_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

class Session {
 public:
  explicit Session(Settings s);
  const Settings& settings() const { return s_; }
  rcd::CacheCore& core() { return *core_; }
  const std::shared_ptr<rcd::CacheCore>& core_ptr() { return core_; }

  redis_cache::detail::Reply command(std::string_view route, std::vector<std::string_view> argv);
  std::vector<redis_cache::detail::Reply> pipeline(
      std::string_view route, const std::vector<std::vector<std::string_view>>& cmds);

  /// The forms (braced / not) to look at for ns, per --cluster-braces / --no-cluster-braces.
  std::vector<NsRef> forms(std::string_view ns) const;
  /// The forms of ns that hold any key; throws CliError(1) naming ns when none.
  std::vector<NsRef> existing(std::string_view ns);
  /// The namespace's keys via CacheCore::scan_namespace (the library's scanner).
  void scan(const NsRef& ref, const std::function<void(std::span<const std::string>)>& fn);
  /// Every key of the prefix (all namespaces) on every node (CacheCore::scan_all_nodes),
  /// in batches, with the connection to the node they live on.
  void scan_prefix(bool braced,
                   const std::function<void(std::span<const std::string>, rcd::Connection&)>& fn);
  /// fn on every node holding data: the server, or each master of a cluster.
  void for_each_node(const std::function<void(rcd::Connection&)>& fn);
  Note note(const NsRef& ref);

 private:
  Settings s_;
  std::shared_ptr<rcd::CacheCore> core_;
};

// ---- output ---------------------------------------------------------------------------------

/// Aligned text table; columns listed in `right` are right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> headers, std::vector<std::size_t> right = {});
  void row(std::vector<std::string> cells);
  std::string str() const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::size_t> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string human_bytes(long long n);
std::string human_seconds(long long s);
/// "2024-05-01T12:00:03.123456Z" from seconds since the epoch.
std::string utc_time(double seconds);
/// What the user sees for one value (decoded, or why not) — never throws. why: set to the
/// reason when the value does not decode.
json::value decode_or_note(std::string_view bytes, std::string* why = nullptr);
/// Arguments decoded and labelled with the note (null note: unlabelled); never throws.
/// why: set to the reason when the segment does not decode.
json::value args_or_note(std::string_view b64, const json::value* note, std::string* why = nullptr);
/// User input echoed in a message: at most 80 bytes, then "... (N bytes)".
std::string clip(std::string_view text);
/// An exception's message without the library's "redis_cache: " prefix.
std::string_view library_message(const std::exception& e);
/// Writes text to stdout.
void out(const std::string& text);

}  // namespace rc_cli
