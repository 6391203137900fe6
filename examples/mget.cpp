// mget: many cached calls, of one or several functions, in one round trip.
#include <redis_cache/redis_cache.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

namespace rc = redis_cache;

int computed = 0;
std::string greet(int id) {
  return ++computed, "hello #" + std::to_string(id);
}
double score(const std::string& name, int round) {
  return ++computed, name.size() * 1.5 + round;
}

int main() {
  const char* url = std::getenv("REDIS_URL");
  rc::RedisCache cache{{.url = url ? url : "redis://127.0.0.1:6379/0"}};
  auto greets = cache.cache<&greet>({.ttl = std::chrono::seconds(60)});
  auto scores = cache.cache<&score>({.ttl = std::chrono::seconds(60), .limit = 100});
  greets.invalidate_all();
  scores.invalidate_all();

  greets(2);  // one value cached beforehand

  // One function, many arguments: one MGET, misses computed in order, one pipeline to store.
  std::vector<std::string> many = greets.mget({{1}, {2}, {3}});

  // Several functions in one round trip, results as a tuple.
  auto [g, s] = cache.mget(rc::call(greets, 4), rc::call(scores, "ada", 2));

  for (const auto& m : many) std::cout << m << "\n";
  std::cout << g << " / " << s << "\n";
  std::cout << "computed " << computed << " values for 6 results\n";
  return (computed == 5 && many[1] == "hello #2" && s == 6.5) ? 0 : 1;
}
