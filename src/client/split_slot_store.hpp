// Stores of FIFO-limited functions while a migration splits their slot between
// two Redis Cluster nodes. The FIFO script (cache_scripts.hpp) touches two keys
// of one slot, the value and the index, and a node answers such a command with
// TRYAGAIN for as long as the migration lasts. Retrying cannot help, so the
// value is stored with single-key commands instead, which the nodes serve while
// the slot is split (ASK followed): SET [EX] of the value, and a one-key script
// that records it in the index but evicts nothing. The limit may be exceeded by
// what is stored so; the next FIFO store after the migration evicts the oldest
// entries beyond it.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "client/client.hpp"

namespace redis_cache::detail {

/// One value of a limited function to store.
struct LimitedStore {
  std::string_view route;      ///< the function's namespace prefix (its hash tag)
  std::string_view index_key;  ///< its FIFO index
  std::string_view key;        ///< the value's key
  std::string_view value;
  long long ttl = 0;  ///< seconds, 0 = no expiry
};

/// Whether reply is TRYAGAIN: a multi-key command on a slot split by a migration.
bool is_split_slot(const ReplyRef& reply) noexcept;

/// The FIFO script for one store (KEYS index, key; ARGV value, ttl, limit), or
/// store_while_split when the slot is split: then returns false (a degraded
/// store, for Stats::degraded_stores). Throws Error.
bool store_limited(Client& client, const LimitedStore& store, std::size_t limit);

/// Stores each value with SET [EX] and records it in its FIFO index without
/// evicting, all in one pipeline_routed. Throws Error (after sending all).
void store_while_split(Client& client, std::span<const LimitedStore> stores);

}  // namespace redis_cache::detail
