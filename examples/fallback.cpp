// Fallback: when Redis is down, an exception handler logs and the function is
// called directly; without one, the call throws and the function is not called.
#include <redis_cache/redis_cache.hpp>

#include <iostream>
#include <string>

namespace rc = redis_cache;

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

  // Without a handler a Redis failure throws and the function is not called.
  rc::RedisCache strict{{.url = "unix:///nonexistent/redis.sock"}};
  auto strict_pages = strict.cache<&render_page>();
  try {
    strict_pages(2);
    return 1;
  } catch (const rc::ConnectionError& e) {
    std::cout << "no handler: " << e.what() << "\n";
  }
  std::cout << "errors counted: " << pages.stats().errors << ", function calls: " << calls << "\n";
  return (calls == 1 && pages.stats().errors == 1) ? 0 : 1;
}
