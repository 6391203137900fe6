// REDIS_CACHED of a qualified name: it cannot define Repo::make_cached from outside the
// class; the message names the forms that work.
// expect: REDIS_CACHED(fn, ...) takes an unqualified name
// expect: REDIS_CACHED_MEMBER(fn, ...) inside the class
#include <redis_cache/macros.hpp>
struct Repo {
  static int make(int id) { return id; }
};
REDIS_CACHED(Repo::make, 0, 0)
int main() {
  return 0;
}
