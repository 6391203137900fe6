// The Redis Cluster protocol without a server (see cluster_protocol.hpp).
#include "client/cluster_protocol.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

using Kind = Redirect::Kind;

std::uint16_t crc16(std::string_view data) noexcept {
  // CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection.
  std::uint16_t crc = 0;
  for (const char ch : data) {
    crc ^= static_cast<std::uint16_t>(static_cast<unsigned char>(ch) << 8);
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc;
}

unsigned key_slot(std::string_view key) noexcept {
  // Cluster spec: hash only what is between the first '{' and the first '}'
  // after it, when that is non-empty.
  if (const auto open = key.find('{'); open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return crc16(key) & (kClusterSlots - 1);
}

Redirect parse_redirect(std::string_view err, std::string_view where) {
  Redirect r;
  const auto word = err.substr(0, err.find(' '));
  if (word == "TRYAGAIN" || word == "CLUSTERDOWN" || word == "LOADING" || word == "MASTERDOWN") {
    r.kind = Kind::transient;
    return r;
  }
  if (word != "MOVED" && word != "ASK") return r;
  const auto malformed = [&] {
    throw ProtocolError("redis_cache: malformed cluster redirection '" +
                        std::string(err.substr(0, 100)) + "' in reply to " + std::string(where) +
                        " (expected '" + std::string(word) +
                        " <slot> <host>:<port>'); the node does not speak the Redis Cluster "
                        "protocol as expected");
  };
  // "MOVED <slot> <host>:<port>" (host may be empty, or an unbracketed IPv6 address)
  if (err.size() <= word.size() + 1) malformed();  // a bare "MOVED" or "MOVED "
  const auto rest = err.substr(word.size() + 1);
  const auto sp = rest.find(' ');
  if (sp == std::string_view::npos) malformed();
  const auto slot_s = rest.substr(0, sp);
  const auto ep = rest.substr(sp + 1);
  const auto colon = ep.rfind(':');
  if (colon == std::string_view::npos) malformed();
  const auto port_s = ep.substr(colon + 1);
  unsigned slot = 0;
  int port = 0;
  const auto slot_end = slot_s.data() + slot_s.size();
  const auto port_end = port_s.data() + port_s.size();
  const auto [slot_p, slot_ec] = std::from_chars(slot_s.data(), slot_end, slot);
  const auto [port_p, port_ec] = std::from_chars(port_s.data(), port_end, port);
  if (slot_ec != std::errc{} || slot_p != slot_end || slot >= kClusterSlots ||
      port_ec != std::errc{} || port_p != port_end || port < 1 || port > 65535) {
    malformed();
  }
  auto host = ep.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  r.kind = word == "MOVED" ? Kind::moved : Kind::ask;
  r.slot = slot;
  r.host = std::string(host);
  r.port = port;
  return r;
}

namespace {

/// Checks one entry of a CLUSTER SLOTS reply; `what` says what is wrong.
class EntryCheck {
 public:
  EntryCheck(std::string_view where, std::size_t entry) : where_(where), entry_(entry) {}
  void require(bool ok, std::string_view what) const {
    if (ok) return;
    throw ProtocolError("redis_cache: malformed CLUSTER SLOTS reply from " + std::string(where_) +
                        ": entry " + std::to_string(entry_) + " " + std::string(what) +
                        " (expected [first slot, last slot, [host, port, ...], ...] with 0 <= "
                        "first <= last < 16384); the node does not speak the Redis Cluster "
                        "protocol as expected");
  }

 private:
  std::string_view where_;
  std::size_t entry_;
};

}  // namespace

SlotTable parse_cluster_slots(const ReplyRef& reply, std::string_view asked_host,
                              std::string_view where) {
  if (reply.type() != ReplyType::array) {
    throw ProtocolError("redis_cache: CLUSTER SLOTS on " + std::string(where) +
                        " returned no array; the node does not speak the Redis Cluster protocol "
                        "as expected");
  }
  SlotTable table;
  table.slots.fill(SlotTable::kNone);
  for (std::size_t i = 0; i < reply.size(); ++i) {
    const EntryCheck check(where, i);
    const ReplyRef range = reply[i];
    check.require(range.type() == ReplyType::array && range.size() >= 3,
                  "is not an array of at least 3 elements");
    check.require(range[0].type() == ReplyType::integer && range[1].type() == ReplyType::integer,
                  "has a slot range that is not two integers");
    const long long first = range[0].integer(), last = range[1].integer();
    check.require(first >= 0 && first <= last && last < static_cast<long long>(kClusterSlots),
                  "has the slot range " + std::to_string(first) + ".." + std::to_string(last));
    const ReplyRef master = range[2];
    check.require(master.type() == ReplyType::array && master.size() >= 2,
                  "has a master that is not an array of at least [host, port]");
    const ReplyType host_type = master[0].type();
    check.require(host_type == ReplyType::string || host_type == ReplyType::nil,
                  "has a master host that is neither a string nor NIL");
    check.require(master[1].type() == ReplyType::integer && master[1].integer() >= 1 &&
                      master[1].integer() <= 65535,
                  "has a master port that is not an integer in 1..65535");
    NodeAddress node{std::string(master[0].str()), static_cast<int>(master[1].integer())};
    if (node.host == "?") continue;  // unknown endpoint: unassigned here
    if (node.host.empty()) node.host = std::string(asked_host);
    auto it = std::find(table.masters.begin(), table.masters.end(), node);
    if (it == table.masters.end()) it = table.masters.insert(it, std::move(node));
    const auto index = static_cast<std::uint16_t>(it - table.masters.begin());
    std::fill(table.slots.begin() + first, table.slots.begin() + last + 1, index);
    table.covered += static_cast<std::size_t>(last - first + 1);
  }
  return table;
}

}  // namespace redis_cache::detail
