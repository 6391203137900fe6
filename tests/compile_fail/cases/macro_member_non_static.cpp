// REDIS_CACHED_MEMBER of a non-static member function: it has no object to call.
// expect: cache a non-static member function with cache.cache<&Class::fn>(object, options)
#include <redis_cache/macros.hpp>
struct Repo {
  int find(int id) const { return id; }
  REDIS_CACHED_MEMBER(find, 0, 0)
};
int main() {
  return 0;
}
