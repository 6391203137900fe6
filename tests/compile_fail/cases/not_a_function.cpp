// cache<F>() of something that is not a function: a redis_cache: message, not an
// incomplete-type error from inside the library.
// expect: takes a pointer to a function
#include <redis_cache/cache.hpp>
int main() {
  redis_cache::RedisCache cache;
  auto f = cache.cache<42>();
}
