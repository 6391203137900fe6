// The non-template parts of the batch path (detail/mget.hpp), compiled once here
// rather than in every translation unit that includes the public headers.
#include <redis_cache/detail/mget.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace redis_cache::detail {

BatchKeys::BatchKeys(std::size_t count, std::size_t bytes_per_key) {
  buf_.reserve(count * bytes_per_key);
  ends_.reserve(count);
}

void BatchKeys::end_key() {
  ends_.push_back(buf_.size());
}

std::vector<std::string_view> BatchKeys::views() const {
  std::vector<std::string_view> v(ends_.size());
  const std::string_view all(buf_);
  for (std::size_t i = 0, begin = 0; i < ends_.size(); begin = ends_[i++])
    v[i] = all.substr(begin, ends_[i] - begin);
  return v;
}

void batch_store(CacheCore& core, std::span<const PendingStore> stores) {
  if (stores.empty()) return;
  std::vector<StoreItem> items;
  items.reserve(stores.size());
  for (const auto& s : stores) items.push_back({s.fn, s.key, s.encoded});
  try {
    io::store_many(core, items);
    for (const auto& it : items) {
      bump(it.fn->stats.fills);
      notify(*it.fn, EventKind::fill);
    }
  } catch (const Error& e) {
    std::vector<const FunctionState*> fns;
    for (const auto& it : items) fns.push_back(it.fn);
    handle_batch_error(fns, e);
  }
}

}  // namespace redis_cache::detail
