// A struct whose field is a raw pointer, nested in a vector: the inner type is named.
// expect: raw pointer
// expect-gcc: NotCacheableType = double
// expect-clang: dependent_false<double *>
#include <redis_cache/codec/codec.hpp>
#include <string>
#include <vector>
struct Sample {
  int id;
  double* values;
};
int main() { redis_cache::codec::assert_cacheable<std::vector<Sample>>(); }
