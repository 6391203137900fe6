// Scratch: thread-local, re-entrant strings for keys and values (see
// include/redis_cache/detail/scratch.hpp).
#include <redis_cache/detail/scratch.hpp>

#include <memory>
#include <vector>

namespace redis_cache::detail {

namespace {
struct ScratchStack {
  std::vector<std::unique_ptr<std::string>> bufs;
  std::size_t depth = 0;
};
thread_local ScratchStack scratch_stack;
}  // namespace

Scratch::Scratch() {
  auto& st = scratch_stack;
  if (st.depth == st.bufs.size()) st.bufs.push_back(std::make_unique<std::string>());
  s_ = st.bufs[st.depth++].get();
  s_->clear();
}

Scratch::~Scratch() {
  // One compare on the common path; a buffer grown for a large key or value
  // goes back to the allocator (swapping with an empty string frees it).
  release_if_large(*s_);
  --scratch_stack.depth;
}

std::size_t scratch_capacity() noexcept {
  std::size_t n = 0;
  for (const auto& b : scratch_stack.bufs) n += b->capacity();
  return n;
}

}  // namespace redis_cache::detail
