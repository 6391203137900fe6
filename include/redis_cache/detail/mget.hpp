// The batch path shared by CachedFunction::mget and RedisCache::mget:
// one MGET for all keys, then, in call order, decode each hit or compute each
// miss, then one pipeline storing every computed value.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redis_cache/codec/codec.hpp>
#include <redis_cache/detail/core.hpp>
#include <redis_cache/detail/result_codec.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

/// One call of a batch: its key, what MGET found, and (after a miss) the encoded value.
struct BatchSlot {
  const FunctionState* fn = nullptr;
  std::string_view key;                   ///< owned by the caller's key buffer
  std::optional<std::string_view> found;  ///< points into the batch's replies
  std::string encoded;
  bool store = false;
};

/// A Redis failure of a batch: counted once, and handled once, per function
/// in it (not once per call). Rethrows unless every function has a handler.
/// Must be called from the catch block.
inline void handle_batch_error(std::vector<const FunctionState*> fns, const Error& e) {
  std::vector<const FunctionState*> distinct;
  for (const FunctionState* f : fns)
    if (std::find(distinct.begin(), distinct.end(), f) == distinct.end()) distinct.push_back(f);
  for (const FunctionState* f : distinct) {
    bump(f->stats.errors);
    if (!f->handler) throw;
  }
  for (const FunctionState* f : distinct) f->handler(e, f->ns);
}

/// Looks every slot up with one MGET. On a Redis failure each slot's function
/// handler decides (fallback or throw); returns false when falling back.
/// `keep` holds the replies the slots' `found` bytes point into.
inline bool batch_lookup(CacheCore& core, std::vector<BatchSlot>& slots,
                         std::shared_ptr<void>& keep) {
  std::vector<std::string_view> keys;
  keys.reserve(slots.size());
  for (auto& s : slots) keys.push_back(s.key);
  std::vector<std::optional<std::string_view>> found;
  try {
    core.mget(keys, found, keep);
  } catch (const Error& e) {
    std::vector<const FunctionState*> fns;
    for (const auto& s : slots) fns.push_back(s.fn);
    handle_batch_error(fns, e);
    return false;
  }
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i].found = found[i];
  return true;
}

/// The result for one slot: decoded hit, or computed (and marked for storing).
template <class R, class Compute>
R batch_resolve(BatchSlot& s, Compute&& compute) {
  if (s.found) {
    try {
      R value = decode_result<R>(*s.fn, *s.found);
      bump(s.fn->stats.hits);
      return value;
    } catch (const DecodeError&) {
      bump(s.fn->stats.decode_failures);
    }
  }
  bump(s.fn->stats.misses);
  R value = compute();
  try {
    encode_result(*s.fn, value, s.encoded);
    s.store = true;
  } catch (const ConfigError& e) {  // a string that JSON cannot carry: not stored
    bump(s.fn->stats.errors);
    if (!s.fn->handler) throw;
    s.fn->handler(e, s.fn->ns);
  }
  return value;
}

/// Stores every computed slot in one pipeline; failures go to the handlers.
inline void batch_store(CacheCore& core, std::vector<BatchSlot>& slots) {
  std::vector<StoreItem> items;
  for (auto& s : slots)
    if (s.store) items.push_back({s.fn, s.key, s.encoded});
  if (items.empty()) return;
  try {
    core.store_many(items);
    for (auto& it : items) bump(it.fn->stats.fills);
  } catch (const Error& e) {
    std::vector<const FunctionState*> fns;
    for (const auto& it : items) fns.push_back(it.fn);
    handle_batch_error(fns, e);
  }
}

}  // namespace redis_cache::detail
