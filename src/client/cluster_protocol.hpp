// The Redis Cluster protocol, read without a server: which slot a key hashes
// to, what a redirection reply (MOVED / ASK / TRYAGAIN ...) says, and what a
// CLUSTER SLOTS reply says about who serves each slot. Pure functions, so that
// they can be tested on bytes alone; ClusterClient (cluster.hpp) acts on them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/reply.hpp"

namespace redis_cache::detail {

inline constexpr std::size_t kClusterSlots = 16384;

/// CRC16-CCITT (XMODEM), as Redis Cluster uses: crc16("123456789") == 0x31C3.
std::uint16_t crc16(std::string_view data) noexcept;

/// The hash slot of a key: CRC16 of the first non-empty {...} hash tag (or of
/// the whole key when there is none), mod 16384.
unsigned key_slot(std::string_view key) noexcept;

/// A cluster error reply, read as the redirection or retryable state it is.
struct Redirect {
  enum class Kind { other, moved, ask, transient };
  Kind kind = Kind::other;
  unsigned slot = 0;
  std::string host;  ///< empty: the node that answered (unknown endpoint)
  int port = 0;
};

/// Reads an error reply: "MOVED <slot> <host>:<port>" / "ASK ..." (host may be
/// empty or an IPv6 address, bracketed or not); TRYAGAIN, CLUSTERDOWN, LOADING,
/// MASTERDOWN are transient; anything else is `other`. A MOVED or ASK that cannot
/// be followed throws ProtocolError naming `where` (e.g. "GET on host:port").
Redirect parse_redirect(std::string_view err, std::string_view where);

/// Whether an error reply is TRYAGAIN: a multi-key command on a slot that a
/// migration has split between two nodes (for as long as the migration lasts).
inline bool is_split_slot_error(std::string_view err) noexcept {
  return err.substr(0, 9) == "TRYAGAIN " || err == "TRYAGAIN";
}

/// A node as CLUSTER SLOTS names it.
struct NodeAddress {
  std::string host;
  int port = 0;
  bool operator==(const NodeAddress&) const = default;
};

/// What one CLUSTER SLOTS reply says: the masters serving slots, and which one
/// serves each slot.
struct SlotTable {
  static constexpr std::uint16_t kNone = 0xffff;
  std::vector<NodeAddress> masters;                ///< each once; index = value in `slots`
  std::array<std::uint16_t, kClusterSlots> slots;  ///< kNone: unassigned or endpoint unknown
  std::size_t covered = 0;                         ///< slots with a known master
};

/// Reads a CLUSTER SLOTS reply: an array of [first, last, [host, port, ...],
/// replicas...] with 0 <= first <= last < 16384 and a port in 1..65535. A NIL
/// or empty host is the node asked (`asked_host`); "?" is an unknown endpoint
/// (its slots stay kNone: commands go to any node, whose MOVED tells the way).
/// Anything else throws ProtocolError naming the node (`where`, "host:port"),
/// the entry and what is wrong with it.
SlotTable parse_cluster_slots(const ReplyRef& reply, std::string_view asked_host,
                              std::string_view where);

}  // namespace redis_cache::detail
