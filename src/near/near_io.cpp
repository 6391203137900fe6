// detail::io's near calls (include/redis_cache/detail/near.hpp) over the
// function's NearCache, and the FunctionState destructor that drops its entries.
#include <redis_cache/detail/near.hpp>

#include "near/near_cache.hpp"

namespace redis_cache::detail {

FunctionState::~FunctionState() {
  if (near != nullptr) near->store().forget(this);
}

namespace io {

bool near_get(const FunctionState& fn, std::string_view key, NearCopy copy, void* out) {
  NearCache& near = *fn.near;
  return near.store().get(key, NearStore::hash(key), NearCache::now(), copy, out, near.state());
}

bool near_find(const FunctionState& fn, std::string_view key, NearHit& hit) {
  NearCache& near = *fn.near;
  hit.value =
      near.store().find(key, NearStore::hash(key), NearCache::now(), near.state(), hit.held);
  return hit.value != nullptr;
}

void near_release(NearHit& hit) noexcept {
  NearStore::release(hit.held);
}

NearTicket near_begin(const FunctionState& fn, std::string_view key) {
  NearCache& near = *fn.near;
  NearTicket t;
  t.state = near.state();
  t.hash = NearStore::hash(key);
  t.token = near.store().begin(key, t.hash, t.state, &fn);
  return t;
}

bool near_fill(const FunctionState& fn, std::string_view key, const NearTicket& ticket,
               NearValue* value, std::size_t value_bytes) {
  NearCache& near = *fn.near;
  const bool kept = near.store().fill(key, ticket.hash, ticket.token, ticket.state,
                                      near.state_word(), value, value_bytes, ticket.expires);
  if (kept) bump(fn.stats.near_fills);
  return kept;
}

void near_cancel(const FunctionState& fn, std::string_view key, const NearTicket& ticket) noexcept {
  if (ticket.token != 0) fn.near->store().cancel(key, ticket.hash, ticket.token);
}

void near_evict(const FunctionState& fn, std::string_view key) noexcept {
  if (fn.near != nullptr) fn.near->store().evict(key, NearStore::hash(key));
}

void near_evict_namespace(const FunctionState& fn) noexcept {
  if (fn.near != nullptr) fn.near->store().evict_prefix(fn.ns_prefix);
}

}  // namespace io

}  // namespace redis_cache::detail
