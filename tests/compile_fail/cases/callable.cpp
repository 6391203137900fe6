// A std::function argument: code cannot be stored in Redis.
// expect: callable
#include <functional>
#include <redis_cache/codec/codec.hpp>
#include <string>
int main() {
  std::string out;
  std::function<int(int)> f = [](int x) { return x; };
  redis_cache::codec::append_key_args(out, 1, f);
}
