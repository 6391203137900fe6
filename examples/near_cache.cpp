// The near cache: repeated hits served from process memory, kept coherent by
// Redis' invalidation messages (a write by anyone evicts the local copy).
#include <redis_cache/redis_cache.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace rc = redis_cache;
using namespace std::chrono_literals;

int computed = 0;
std::string greet(int id) {
  return ++computed, "hello #" + std::to_string(id);
}
int version(int id) {
  return ++computed, id;
}

int main() {
  const char* env = std::getenv("REDIS_URL");
  const std::string url = env ? env : "redis://127.0.0.1:6379/0";
  rc::RedisCache cache{{.url = url, .near = {.max_bytes = 64 << 20}}};  // 64 MiB near
  auto greets = cache.cache<&greet>({.ttl = 60s});                      // near by default
  auto versions = cache.cache<&version>({.ttl = 60s, .near = false});   // kept out
  greets.invalidate_all();
  versions.invalidate_all();

  // The listener subscribes in the background; until then calls read Redis.
  while (!cache.near_stats().listening) std::this_thread::sleep_for(1ms);
  greets(1);  // miss: computed and stored
  for (int i = 0; i < 1000 && greets.stats().near_hits == 0; ++i) {
    greets(1);  // a Redis hit keeps a copy near; the next calls are near hits
    std::this_thread::sleep_for(1ms);
  }

  // Another client (here another RedisCache, e.g. another service) changes it.
  rc::RedisCache other{{.url = url}};
  auto other_greets = other.cache<&greet>({.ttl = 60s});
  other_greets.invalidate(1);
  for (int i = 0; i < 1000 && computed < 2; ++i) {
    greets(1);  // served near until the invalidation arrives, then recomputed
    std::this_thread::sleep_for(1ms);
  }

  const rc::NearStats near = cache.near_stats();
  std::cout << "near: " << near.entries << " entries, " << near.bytes << " bytes of "
            << near.max_bytes << ", listening=" << near.listening << "\n"
            << "greet: " << greets.stats() << "\n";
  return (greets.stats().near_hits > 0 && computed == 2) ? 0 : 1;
}
