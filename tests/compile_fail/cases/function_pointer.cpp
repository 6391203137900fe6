// A function pointer argument.
// expect: callable
#include <redis_cache/codec/codec.hpp>
#include <string>
int twice(int x) { return 2 * x; }
int main() {
  std::string out;
  redis_cache::codec::append_key_args(out, &twice);
}
