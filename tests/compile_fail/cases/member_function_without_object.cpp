// A non-static member function needs the object it is called on.
// expect: cache.cache<&Class::fn>(object, options)
#include <redis_cache/cache.hpp>
struct Repo {
  int find(int id) const { return id; }
};
int main() {
  redis_cache::RedisCache cache;
  auto f = cache.cache<&Repo::find>();
}
