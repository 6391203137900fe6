// Quickstart: one line caches a function in Redis.
//   bash tools/demo.sh          (starts a private redis-server, or uses REDIS_URL)
#include <redis_cache/redis_cache.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace rc = redis_cache;

struct User {  // a plain aggregate: encoded by reflection, nothing to write
  int id;
  std::string name;
  std::vector<std::string> tags;
};

User load_user(int id) {  // the expensive function
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return {id, "user-" + std::to_string(id), {"admin", "beta"}};
}

REDIS_CACHED(load_user, 300, 1000)  // load_user_cached: ttl 300 s, at most 1000 entries

int main() {
  const char* url = std::getenv("REDIS_URL");
  rc::RedisCache cache{{.url = url ? url : "redis://127.0.0.1:6379/0"}};
  rc::set_default_cache(cache);
  load_user_cached.invalidate_all();  // start the demo cold

  for (int call = 1; call <= 3; ++call) {
    const auto before = load_user_cached.stats();
    const auto t0 = std::chrono::steady_clock::now();
    User u = load_user_cached(7);
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    const bool hit = load_user_cached.stats().hits > before.hits;
    std::cout << "call " << call << ": load_user(7) -> {" << u.id << ", " << u.name << ", "
              << u.tags.size() << " tags}  " << us / 1000.0 << " ms  "
              << (hit ? "hit" : "miss (computed, stored)") << "\n";
  }
  std::cout << "key:   " << load_user_cached.key(7) << "\n";
  std::cout << "stats: " << load_user_cached.stats() << "\n";
  const auto s = load_user_cached.stats();
  return (s.misses == 1 && s.hits == 2) ? 0 : 1;
}
