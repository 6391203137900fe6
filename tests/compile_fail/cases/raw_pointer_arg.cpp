// A raw pointer argument: an address means nothing in another process.
// expect: raw pointer
// expect-gcc: NotCacheableType = int
// expect-clang: dependent_false<int *>
#include <redis_cache/codec/codec.hpp>
#include <string>
int main() {
  int x = 0;
  int* p = &x;
  std::string out;
  redis_cache::codec::append_key_args(out, p);
}
