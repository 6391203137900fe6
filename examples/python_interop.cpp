// Sharing a cache with a Python service that uses python-redis-cache 4.x:
//
//   # Python                                   // C++ (this file)
//   cache = RedisCache(redis_client=client)
//   @cache.cache(ttl=60, namespace="app.users.load_user")
//   def load_user(user_id, lang):
//       ...
//
// Same prefix, namespace and argument names: each side reads the other's entries as hits.
#include <redis_cache/redis_cache.hpp>

#include <boost/describe.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace rc = redis_cache;

struct User {  // a JSON object {"id":..,"name":..,"tags":[..]} on the Python side
  int id;
  std::string name;
  std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, tags))

User load_user(int user_id, std::string lang) {
  return {user_id, lang == "fr" ? "Zo\xc3\xab" : "Zoe", {"admin"}};
}

int main() {
  const char* url = std::getenv("REDIS_URL");
  rc::RedisCache cache{{.url = url ? url : "redis://127.0.0.1:6379/0", .codec = rc::Codec::python}};
  auto users = cache.cache<&load_user>({.ttl = std::chrono::seconds(60),
                                        .ns = "app.users.load_user",         // Python's namespace
                                        .arg_names = {"user_id", "lang"}});  // Python's parameters
  users.invalidate(7, "fr");

  const User u = users(7, "fr");      // a miss: computed, stored as Python would store it
  const User again = users(7, "fr");  // a hit (Python's load_user(7, "fr") is one too)
  std::cout << users.key(7, "fr") << " -> " << again.name << '\n';
  // {rc:app.users.load_user}:eyJsYW5nIjoiZnIiLCJ1c2VyX2lkIjo3fQ== -> Zoë
  const bool ok =
      u.name == again.name && users.stats().hits == 1 &&
      users.key(7, "fr") == "{rc:app.users.load_user}:eyJsYW5nIjoiZnIiLCJ1c2VyX2lkIjo3fQ==";
  return ok ? 0 : 1;
}
