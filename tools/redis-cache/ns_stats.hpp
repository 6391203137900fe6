// redis-cache CLI: what ls and stats report per namespace, gathered in one scan of the
// prefix on every node (entries, sampled memory, TTL range, FIFO size / limit, schemas).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "session.hpp"

namespace rc_cli {

struct NsStats {
  NsRef ref;
  std::size_t entries = 0, locks = 0;
  std::size_t wrong_type = 0;  ///< hashes, lists, ... at a value's key: not entries
  std::map<std::string, std::size_t> wrong_types;  ///< TYPE ("hash") -> how many
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

/// Every namespace under the prefix (each form: braced or not), sorted by name.
std::vector<NsStats> collect(Session& s);
/// One namespace as ls --json / stats --json show it.
json::object stats_json(const NsStats& st);
/// On stderr, per namespace holding keys of the wrong Redis type: how many, and that
/// they are not counted as entries.
void warn_wrong_types(const std::vector<NsStats>& all, const Settings& settings);
/// "~1.2 MiB" (sampled), "300 B", or "-" when MEMORY USAGE is unavailable.
std::string memory_text(const NsStats& st);

}  // namespace rc_cli
