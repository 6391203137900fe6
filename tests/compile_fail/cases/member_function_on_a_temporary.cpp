// A member function bound to a temporary object would call a dead object.
// expect: not a temporary
#include <redis_cache/cache.hpp>
struct Repo {
  int find(int id) const { return id; }
};
int main() {
  redis_cache::RedisCache cache;
  auto f = cache.cache<&Repo::find>(Repo{});
}
