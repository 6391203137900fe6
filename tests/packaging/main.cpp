// A consumer of redis_cache, built by the packaging tests both against an
// installed copy (find_package) and the source tree (add_subdirectory).
// It needs no Redis: with active = false every call goes to the function.
#include <chrono>
#include <iostream>

#include <redis_cache/redis_cache.hpp>

namespace rc = redis_cache;

namespace consumer {
int square(int x) { return x * x; }
}  // namespace consumer

int main() {
  rc::RedisCache cache{{.url = "redis://127.0.0.1:6379/0", .active = false}};
  auto squares = cache.cache<&consumer::square>({.ttl = std::chrono::seconds(60)});
  if (squares(7) != 49) {
    std::cerr << "consumer: wrong result\n";
    return 1;
  }
  std::cout << "consumer ok, key of square(7): " << squares.key(7) << "\n";
  return 0;
}
