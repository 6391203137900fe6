// Fallback: when Redis is down, an exception handler logs and the function is
// called directly; without one, the call throws and the function is not called.
// After 5 failures in a row the circuit breaker skips Redis for a second.
#include <redis_cache/redis_cache.hpp>

#include <iostream>
#include <string>

namespace rc = redis_cache;
using namespace std::chrono_literals;

int calls = 0;
std::string render_page(int page) {
  return ++calls, "<h1>page " + std::to_string(page) + "</h1>";
}

int main() {
  // Nothing listens on this socket: every Redis command fails.
  rc::RedisCache down{{
      .url = "unix:///nonexistent/redis.sock",
      .exception_handler =
          [](const rc::Error& e, std::string_view ns) {
            std::cerr << "cache unavailable for " << ns << ": " << e.what() << "\n";
            // returning = fall back to the function; throwing = propagate
          },
  }};
  auto pages = down.cache<&render_page>({.ttl = std::chrono::seconds(30)});
  std::cout << pages(1) << "\n";  // computed: the service keeps working
  for (int page = 2; page <= 8; ++page) pages(page);
  // Calls 1-5 tried Redis and failed; then the breaker opened and calls skipped it.
  std::cout << "skipped by the circuit breaker: " << pages.stats().circuit_open << "\n";

  // Without a handler a Redis failure throws and the function is not called.
  rc::RedisCache strict{{.url = "unix:///nonexistent/redis.sock",
                         .circuit_breaker = {.failures = 5, .cool_down = 1000ms}}};
  auto strict_pages = strict.cache<&render_page>();
  try {
    strict_pages(2);
    return 1;
  } catch (const rc::ConnectionError& e) {
    std::cout << "no handler: " << e.what() << "\n";
  }
  std::cout << "errors counted: " << pages.stats().errors << ", function calls: " << calls << "\n";
  const rc::Stats s = pages.stats();
  return (calls == 8 && s.errors == 8 && s.circuit_open >= 1) ? 0 : 1;
}
