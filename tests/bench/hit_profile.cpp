// Instructions per cache hit, library vs raw hiredis, for callgrind (whose
// counts are repeatable where wall-clock times are not):
//   bash tools/profile_hit.sh
// runs this under callgrind with N and 2N hits of each kind and prints
// (instructions(2N) - instructions(N)) / N: set-up costs cancel out.
#include <redis_cache/redis_cache.hpp>

#include <hiredis/hiredis.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace rc = redis_cache;

struct User {
  std::int64_t id;
  std::string name;
  std::string email;
  std::vector<std::string> tags;
  int age;
  bool active;
  double score;
};

User load_user(std::int64_t id) {
  std::string name = "user-";
  name += std::to_string(id);
  return {id, std::move(name), "user@example.com", {"admin", "beta", "eu"}, 42, true, 3.5};
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: hit_profile lib|raw N unix-socket-path\n");
    return 2;
  }
  const bool lib = std::strcmp(argv[1], "lib") == 0;
  const long n = std::atol(argv[2]);
  const std::string sock = argv[3];
  rc::RedisCache cache{{.url = "unix://" + sock}};
  auto users = cache.cache<&load_user>();
  users(7);  // stored
  std::int64_t sum = 0;
  if (lib) {
    for (long i = 0; i < n; ++i) sum += users(7).age;
  } else {
    redisContext* c = redisConnectUnix(sock.c_str());
    const std::string key = users.key(7);
    // redisCommandArgv (no format-string parsing): the fastest raw form.
    const char* argv2[] = {"GET", key.data()};
    const size_t lens[] = {3, key.size()};
    for (long i = 0; i < n; ++i) {
      auto* r = static_cast<redisReply*>(redisCommandArgv(c, 2, argv2, lens));
      sum += rc::codec::decode_value<User>(std::string_view(r->str, r->len)).age;
      freeReplyObject(r);
    }
    redisFree(c);
  }
  std::printf("%lld\n", static_cast<long long>(sum));
  return 0;
}
