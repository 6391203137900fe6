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
#include <tuple>
#include <vector>

#include "bench_user.hpp"

namespace rc = redis_cache;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: hit_profile lib|raw|lib_mget|raw_mget N unix-socket-path\n");
    return 2;
  }
  const bool lib = std::strcmp(argv[1], "lib") == 0;
  const long n = std::atol(argv[2]);
  const std::string sock = argv[3];
  rc::RedisCache cache{{.url = "unix://" + sock}};
  auto users = cache.cache<&load_user>();
  users(7);  // stored
  std::int64_t sum = 0;
  const std::string mode = argv[1];
  if (mode == "lib_mget" || mode == "raw_mget") {  // N batches of 100 hits
    std::vector<std::tuple<std::int64_t>> calls;
    for (std::int64_t i = 0; i < 100; ++i) calls.emplace_back(i);
    users.mget(calls);  // stored
    if (mode == "lib_mget") {
      for (long i = 0; i < n; ++i) sum += users.mget(calls)[7].age;
    } else {
      redisContext* c = redisConnectUnix(sock.c_str());
      std::vector<std::string> keys(100);
      std::vector<const char*> args(101);
      std::vector<size_t> lens(101);
      for (long i = 0; i < n; ++i) {
        args[0] = "MGET";
        lens[0] = 4;
        for (std::size_t k = 0; k < 100; ++k) {
          users.build_key(keys[k], static_cast<std::int64_t>(k));  // the same keys, reused buffers
          args[k + 1] = keys[k].data();
          lens[k + 1] = keys[k].size();
        }
        auto* r = static_cast<redisReply*>(redisCommandArgv(c, 101, args.data(), lens.data()));
        std::vector<User> out;
        out.reserve(r->elements);
        for (size_t k = 0; k < r->elements; ++k)
          out.push_back(rc::codec::decode_value<User>(
              std::string_view(r->element[k]->str, r->element[k]->len)));
        sum += out[7].age;
        freeReplyObject(r);
      }
      redisFree(c);
    }
  } else if (lib) {
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
