// An &&-qualified member function would consume the object the cached function keeps.
// expect: not &&-qualified
#include <redis_cache/cache.hpp>
struct Repo {
  int take(int id) && { return id; }
};
int main() {
  redis_cache::RedisCache cache;
  Repo r;
  auto f = cache.cache<&Repo::take>(r);
}
