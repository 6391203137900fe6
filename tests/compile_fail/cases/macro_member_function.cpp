// REDIS_CACHED_AS of a non-static member function: it has no object to call.
// expect: REDIS_CACHED takes a free or static member function
#include <redis_cache/macros.hpp>
struct Repo {
  int find(int id) const { return id; }
};
REDIS_CACHED_AS(find_cached, &Repo::find, 0, 0)
int main() {
  return find_cached(1);
}
