// What a cached call does when Redis fails (detail::handle_redis_error and
// handle_batch_error): count it, tell the observer, then let the exception
// handler decide between the fallback and the error. Out of line: the error
// path stays out of the code inlined into every call.
#include <redis_cache/detail/core.hpp>
#include <redis_cache/detail/mget.hpp>

#include <algorithm>
#include <vector>

namespace redis_cache::detail {

void handle_redis_error(const FunctionState& st, const Error& e) {
  count_redis_error(st, e);
  notify(st, EventKind::error);
  if (!st.handler) throw;
  st.handler(e, st.ns);
  bump(st.stats.fallbacks);
  notify(st, EventKind::fallback);
}

void handle_batch_error(std::span<const FunctionState* const> fns, const Error& e) {
  std::vector<const FunctionState*> distinct;
  for (const FunctionState* f : fns)
    if (std::find(distinct.begin(), distinct.end(), f) == distinct.end()) distinct.push_back(f);
  for (const FunctionState* f : distinct) {
    count_redis_error(*f, e);
    notify(*f, EventKind::error);
  }
  for (const FunctionState* f : distinct)
    if (!f->handler) throw;
  for (const FunctionState* f : distinct) {
    f->handler(e, f->ns);
    bump(f->stats.fallbacks);
    notify(*f, EventKind::fallback);
  }
}

}  // namespace redis_cache::detail
