// What every Client shares (see client.hpp): mget split by key group.
#include "client/client.hpp"

#include <hiredis/hiredis.h>

#include <string>
#include <unordered_map>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

namespace {

/// out = the values of an MGET array reply (nullopt for nil), in one pass over
/// its elements (a batch of 1000 hits reads 1000 elements once, not through
/// four out-of-line ReplyRef calls each).
void fill_values(const ReplyRef& r, std::vector<std::optional<std::string_view>>& out) {
  const redisReply* raw = r.raw();
  out.resize(raw->elements);
  for (std::size_t i = 0; i < raw->elements; ++i) {
    const redisReply* e = raw->element[i];
    if (e->type == REDIS_REPLY_STRING) [[likely]]
      out[i].emplace(e->str, static_cast<std::size_t>(e->len));
    else if (e->type != REDIS_REPLY_NIL && ReplyRef(e).type() == ReplyType::string)
      out[i].emplace(ReplyRef(e).str());  // (RESP3 string-like types of hiredis >= 1)
  }
}

}  // namespace

void Client::mget(std::span<const std::string_view> keys,
                  std::vector<std::optional<std::string_view>>& out, std::vector<Reply>& keep) {
  out.clear();
  if (keys.empty()) return;
  if (single_group()) {  // one server: one MGET, no grouping
    std::vector<std::string_view> argv;
    argv.reserve(keys.size() + 1);
    argv.push_back("MGET");
    argv.insert(argv.end(), keys.begin(), keys.end());
    Reply r = command(keys.front(), argv);
    if (r.type() != ReplyType::array || r.size() != keys.size())
      throw ProtocolError("redis_cache: unexpected MGET reply from " + describe());
    fill_values(r, out);
    keep.push_back(std::move(r));  // the views point into it
    return;
  }
  // groups[g] = indices of keys of one group, in call order; one MGET each.
  std::vector<std::vector<std::size_t>> groups;
  std::unordered_map<unsigned, std::size_t> group_of;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto [it, fresh] = group_of.try_emplace(key_group(keys[i]), groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  std::vector<std::string_view> route_keys;
  std::vector<std::vector<std::string_view>> cmds;
  route_keys.reserve(groups.size());
  cmds.reserve(groups.size());
  for (const auto& g : groups) {
    route_keys.push_back(keys[g.front()]);
    auto& argv = cmds.emplace_back();
    argv.reserve(g.size() + 1);
    argv.push_back("MGET");
    for (const std::size_t i : g) argv.push_back(keys[i]);
  }
  auto replies = pipeline_routed(route_keys, cmds);
  out.resize(keys.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const Reply& r = replies[g];
    if (r.type() == ReplyType::error) {
      throw_reply_error(r.str(),
                        "MGET of " + std::to_string(groups[g].size()) + " keys on " + describe());
    }
    if (r.type() != ReplyType::array || r.size() != groups[g].size()) {
      throw ProtocolError("redis_cache: unexpected MGET reply from " + describe());
    }
    for (std::size_t j = 0; j < groups[g].size(); ++j) {
      const ReplyRef e = r[j];
      if (e.type() == ReplyType::string) out[groups[g][j]].emplace(e.str());
    }
  }
  // Moving a Reply keeps its redisReply where it is: the views stay valid.
  for (auto& r : replies) keep.push_back(std::move(r));
}

}  // namespace redis_cache::detail
