// The process-wide lists of weak references behind write_metrics (tracking.hpp).
#include "metrics/tracking.hpp"

#include <algorithm>
#include <cstddef>
#include <mutex>

#include <redis_cache/detail/core.hpp>

#include "cache_core.hpp"

namespace redis_cache::detail {

namespace {

/// Weak references, pruned of the expired ones whenever the list has doubled
/// since the last pruning (amortised O(1) per registration).
template <class T>
class WeakList {
 public:
  void add(const std::shared_ptr<T>& p) {
    std::lock_guard lock(mu_);
    if (items_.size() >= 2 * kept_ + 16) {
      std::erase_if(items_, [](const std::weak_ptr<T>& w) { return w.expired(); });
      kept_ = items_.size();
    }
    items_.push_back(p);
  }
  template <class U>
  std::vector<std::shared_ptr<U>> alive() {
    std::vector<std::weak_ptr<T>> copy;
    {
      std::lock_guard lock(mu_);
      copy = items_;
    }
    std::vector<std::shared_ptr<U>> out;
    out.reserve(copy.size());
    for (const auto& w : copy)
      if (auto p = w.lock()) out.push_back(std::move(p));
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::weak_ptr<T>> items_;
  std::size_t kept_ = 0;
};

struct Tracked {
  WeakList<FunctionState> functions;
  WeakList<CacheCore> cores;
};

Tracked& tracked() {
  static Tracked* t = new Tracked;  // never destroyed: functions die in static destructors too
  return *t;
}

}  // namespace

void track_function(const std::shared_ptr<FunctionState>& fn) {
  tracked().functions.add(fn);
}

void track_core(const std::shared_ptr<CacheCore>& core) {
  tracked().cores.add(core);
}

std::vector<std::shared_ptr<const FunctionState>> alive_functions() {
  return tracked().functions.alive<const FunctionState>();
}

std::vector<std::shared_ptr<CacheCore>> alive_cores() {
  return tracked().cores.alive<CacheCore>();
}

}  // namespace redis_cache::detail
