// The whole API on one page (the README's "API" section is taken from here).
#include <redis_cache/redis_cache.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace rc = redis_cache;
using namespace std::chrono_literals;

namespace app {
std::string render(int page, const std::string& lang) {
  return lang + ":" + std::to_string(page);
}
double area(double r) {
  return 3.14159 * r * r;
}
double area(double w, double h) {
  return w * h;
}  // overloaded
int load_score(int id) {
  return id * 3;
}
std::string load_name(int id) {
  return "user" + std::to_string(id);
}
}  // namespace app

// [macros]
namespace app {
REDIS_CACHED(load_score, 300, 1000)  // defines app::load_score_cached: ttl 300 s, 1000 entries
REDIS_CACHED_WITH(load_name, .ttl = 5min, .limit = 100, .ns = "app.names")  // any CacheOptions
// An overload: its own namespace (two overloads never share their default one)
REDIS_CACHED_AS_WITH(rect_area_cached, static_cast<double (*)(double, double)>(&area), .ttl = 1h,
                     .ns = "app::area(double, double)")
}  // namespace app
// [macros]

// rc::Cached<&fn> names the type of cache.cache<&fn>() (for members and parameters).
struct PageService {
  rc::Cached<&app::render> pages;
  std::string home() const { return pages(0, "en"); }
};

void log_cache_error(std::string_view ns, const char* what) {
  std::cerr << "cache error in " << ns << ": " << what << "\n";
}

int main() {
  const char* env = std::getenv("REDIS_URL");
  const std::string url = env ? env : "redis://127.0.0.1:6379/0";
  // [api]
  rc::RedisCache cache{{
      .url = url,                 // redis://user:pass@host:6379/0, unix:///path?db=2,
                                  // redis+cluster://host:7000,host:7001
      .prefix = "rc",             // first segment of every key
      .support_cluster = true,    // {prefix:namespace} hash tag
      .active = true,             // false: always call the function, never Redis
      .connect_timeout = 1000ms,  // 0 = wait forever
      .command_timeout = 1000ms,  // 0 = wait forever
      .pool_size = 8,             // connections, each used by one thread at a time
      .exception_handler =
          [](const rc::Error& e, std::string_view ns) {
            log_cache_error(ns, e.what());  // return: fall back to the function; throw: propagate
          },
  }};

  auto pages = cache.cache<&app::render>({
      .ttl = 60s,           // from insertion; 0 = no expiry
      .limit = 100,         // FIFO; 0 = no limit
      .ns = "",             // "" = the qualified name "app::render"
      .lock_timeout = 0ms,  // > 0: cross-process stampede lock
  });
  std::string html = pages(1, "en");         // cached call
  bool removed = pages.invalidate(1, "en");  // true if a value was removed
  std::size_t n = pages.invalidate_all();    // values removed: this function's only
  std::string key = pages.key(1, "en");      // the Redis key pages(1, "en") uses
  std::vector<std::string> many = pages.mget({{1, "en"}, {2, "de"}});  // one MGET
  rc::Stats stats = pages.stats();  // hits, misses, fills, errors, decode_failures, ...

  auto areas = cache.cache<static_cast<double (*)(double)>(&app::area)>();
  auto [p, a] = cache.mget(rc::call(pages, 3, "fr"), rc::call(areas, 2.0));  // one round trip

  auto twice = cache.cache([](int x) { return 2 * x; }, {.ns = "svc.twice"});  // any callable

  rc::RedisCache copy = cache;   // a cheap handle: copies share connections and functions
  rc::set_default_cache(cache);  // keeps a copy; REDIS_CACHED functions use it (else $REDIS_URL)
  int score = app::load_score_cached(7);
  std::string name = app::load_name_cached(7);
  double r = app::rect_area_cached(2.0, 3.0);
  for (const rc::RegistryEntry& e : rc::registry()) std::cout << e.name << " -> " << e.ns << "\n";
  PageService service{copy.cache<&app::render>({.ttl = 60s})};
  // [api]

  std::cout << html << " " << removed << " " << n << " " << key << " " << many.size() << " "
            << stats << " " << p << " " << a << " " << twice(21) << " " << score << " " << r << " "
            << name << " " << service.home() << "\n";
  return (html == "en:1" && many[1] == "de:2" && p == "fr:3" && twice(21) == 42 && score == 21 &&
          r == 6.0 && name == "user7" && service.home() == "en:0")
             ? 0
             : 1;
}
