// The thread-local scratch buffers are capped: a buffer that grew above
// scratch_keep_bytes goes back to the allocator when released, a smaller one is
// kept for reuse. The test runs on a thread of its own, so what it measures is
// that thread's buffers only. Through the cache: tests/integration/scratch_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <thread>

namespace scratch_buffer_test {

namespace rc = redis_cache;
using rc::detail::scratch_capacity;
using rc::detail::scratch_keep_bytes;

TEST(Scratch, ReleasesABufferThatGrewAboveTheCap) {
  std::thread([] {
    {
      rc::detail::Scratch outer;
      outer.str().assign(4 * scratch_keep_bytes, 'a');
      {
        rc::detail::Scratch inner;  // nested: a buffer of its own
        inner.str().assign(1000, 'b');
        EXPECT_GE(scratch_capacity(), 4 * scratch_keep_bytes + 1000);
      }
    }
    // The large buffer went back to the allocator; the small one is kept for reuse.
    EXPECT_LT(scratch_capacity(), scratch_keep_bytes);
    EXPECT_GE(scratch_capacity(), 1000u);
  }).join();
}

}  // namespace scratch_buffer_test
