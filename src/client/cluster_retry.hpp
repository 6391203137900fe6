// What the ClusterClient's files share about retrying: how many redirections
// and transient failures one command (or pipeline) may meet, the wait between
// the latter, and the lookups every routed attempt starts with.
#pragma once

#include <string>
#include <string_view>

#include "client/cluster.hpp"

namespace redis_cache::detail {

inline constexpr int kMaxRedirects = 5;  // MOVED / ASK hops per command
inline constexpr int kMaxTransient = 6;  // TRYAGAIN / CLUSTERDOWN / LOADING retries (~1.3 s)

/// Sleeps 10·2^attempt ms (capped at 400 ms), jittered to 50..100 % so that
/// many clients do not retry in lockstep.
void backoff(int attempt);

/// The command's name (its first word, at most 32 bytes), for messages.
std::string_view name_of(Argv argv);

/// "host:port" ("[host]:port" for an IPv6 address): the key of a node's pool.
std::string endpoint_of(const std::string& host, int port);

/// The node serving slot in map (which the caller holds while it uses the
/// node); throws ConnectionError when the map knows no node at all.
Pool& owner_in(const SlotMap& map, unsigned slot);

}  // namespace redis_cache::detail
