// Instructions per operation, library vs raw hiredis, for callgrind (whose
// counts are repeatable where wall-clock times are not):
//   bash tools/profile_hit.sh
// runs this under callgrind with N and 2N operations of each kind and prints
// (instructions(2N) - instructions(N)) / N: set-up costs cancel out.
//
//   hit_profile MODE N SERVER [BATCH]
//   SERVER: a unix socket path, or a URL: redis://host:port (the raw modes
//           connect there over TCP) or rediss://...?tls_ca=... (library modes
//           only: hiredis 0.14 has no TLS)
//   MODE: lib | raw                    a hit: key, GET, decode
//         lib_mget | raw_mget          an mget of BATCH hits (default 100)
//         lib_miss_limit | raw_miss_limit
//                                      a miss of a function with a limit:
//                                      GET (nil) + EVALSHA of the FIFO script
//         lib_miss_limit_nosf          the same with single_flight = false
//         lib_near                     a near hit (near tier on): lookup + copy
//         lib_near_redis               a Redis hit with the near tier on: the
//                                      near copy evicted, GET + PTTL, decode, keep
#include <redis_cache/redis_cache.hpp>

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cache_scripts.hpp"
#include "client/script.hpp"

#include "access.hpp"
#include "bench_user.hpp"

namespace rc = redis_cache;

namespace {

/// Raw hiredis on server (a unix socket path or redis://host:port[/...]).
redisContext* raw_connect(const std::string& server) {
  constexpr std::string_view tcp = "redis://";
  if (server.find("://") == std::string::npos) return redisConnectUnix(server.c_str());
  if (!server.starts_with(tcp)) {
    std::fprintf(stderr, "hit_profile: raw modes take a socket path or redis://host:port\n");
    std::exit(2);
  }
  const std::string hostport = server.substr(tcp.size(), server.find('/', tcp.size()) - tcp.size());
  const auto colon = hostport.rfind(':');
  redisContext* c =
      redisConnect(hostport.substr(0, colon).c_str(), std::atoi(hostport.c_str() + colon + 1));
  if (c == nullptr || c->err != 0) {
    std::fprintf(stderr, "hit_profile: cannot connect to %s\n", server.c_str());
    std::exit(2);
  }
  return c;
}

redisReply* cmd(redisContext* c, int argc, const char** argv, const size_t* lens) {
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, argc, argv, lens));
  if (r == nullptr || r->type == REDIS_REPLY_ERROR) {
    std::fprintf(stderr, "hit_profile: %s\n", r ? r->str : c->errstr);
    std::exit(2);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(
        stderr,
        "usage: hit_profile lib|raw|lib_mget|raw_mget|lib_miss_limit[_nosf]|raw_miss_limit N "
        "unix-socket-path|redis://host:port|rediss://... [BATCH]\n");
    return 2;
  }
  const std::string mode = argv[1];
  const long n = std::atol(argv[2]);
  const std::string sock = argv[3];
  const std::size_t batch = argc == 5 ? static_cast<std::size_t>(std::atol(argv[4])) : 100;
  const bool near = mode.starts_with("lib_near");
  rc::RedisCache cache{{.url = sock.find("://") == std::string::npos ? "unix://" + sock : sock,
                        .near = {.max_bytes = near ? 1u << 20 : 0u}}};
  auto users = cache.cache<&load_user>();
  users(7);                                               // stored
  while (near && users.stats().near_hits == 0) users(7);  // the listener has subscribed
  std::int64_t sum = 0;
  if (mode == "lib_mget" || mode == "raw_mget") {  // N batches of BATCH hits
    std::vector<std::tuple<std::int64_t>> calls;
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(batch); ++i) calls.emplace_back(i);
    users.mget(calls);  // stored
    if (mode == "lib_mget") {
      for (long i = 0; i < n; ++i) sum += users.mget(calls)[7].age;
    } else {
      redisContext* c = raw_connect(sock);
      std::vector<std::string> keys(batch);
      std::vector<const char*> args(batch + 1);
      std::vector<size_t> lens(batch + 1);
      for (long i = 0; i < n; ++i) {
        args[0] = "MGET";
        lens[0] = 4;
        for (std::size_t k = 0; k < batch; ++k) {
          rc::detail::Access::build_key(
              users, keys[k], static_cast<std::int64_t>(k));  // the same keys, reused buffers
          args[k + 1] = keys[k].data();
          lens[k + 1] = keys[k].size();
        }
        auto* r = cmd(c, static_cast<int>(batch + 1), args.data(), lens.data());
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
  } else if (mode == "lib_miss" || mode == "raw_miss") {
    // A function without a limit: GET, compute, SET EX. Fresh ids each run.
    auto plain = cache.cache<&load_user>({.ttl = std::chrono::hours(1), .ns = "profile_plain"});
    plain(-1);  // the schema note written
    std::int64_t id = std::chrono::system_clock::now().time_since_epoch().count();
    if (mode == "lib_miss") {
      for (long i = 0; i < n; ++i) sum += plain(id++).age;
    } else {
      redisContext* c = raw_connect(sock);
      std::string key, bytes;
      for (long i = 0; i < n; ++i) {
        const std::int64_t this_id = id++;
        rc::detail::Access::build_key(plain, key, this_id);
        const char* get[] = {"GET", key.data()};
        const size_t get_lens[] = {3, key.size()};
        freeReplyObject(cmd(c, 2, get, get_lens));
        User u = load_user(this_id);
        rc::codec::encode_value(u, bytes);
        const char* set[] = {"SET", key.data(), bytes.data(), "EX", "3600"};
        const size_t set_lens[] = {3, key.size(), bytes.size(), 2, 4};
        freeReplyObject(cmd(c, 5, set, set_lens));
        sum += u.age;
      }
      redisFree(c);
    }
  } else if (mode.ends_with("miss_limit") || mode == "lib_miss_limit_nosf") {
    // Fresh ids each run (the server is shared between runs): misses only.
    auto limited = cache.cache<&load_user>({.ttl = std::chrono::hours(1),
                                            .limit = 100000,
                                            .ns = "profile_limited",
                                            .single_flight = mode != "lib_miss_limit_nosf"});
    limited(-1);  // the FIFO script is loaded, the schema note written
    // (nanoseconds: a run never meets the ids of an earlier one, even within a second)
    std::int64_t id = std::chrono::system_clock::now().time_since_epoch().count();
    if (mode.starts_with("lib")) {
      for (long i = 0; i < n; ++i) sum += limited(id++).age;
    } else {
      redisContext* c = raw_connect(sock);
      const std::string& sha = rc::detail::fifo_script().sha1();
      const std::string& index = rc::detail::Access::state(limited).index_key;
      std::string key, bytes;
      for (long i = 0; i < n; ++i) {
        // What a hand-written client does: build the key, GET, compute, encode,
        // EVALSHA of the same script with the same arguments.
        const std::int64_t this_id = id++;
        rc::detail::Access::build_key(limited, key, this_id);
        const char* get[] = {"GET", key.data()};
        const size_t get_lens[] = {3, key.size()};
        freeReplyObject(cmd(c, 2, get, get_lens));
        User u = load_user(this_id);
        rc::codec::encode_value(u, bytes);
        const char* ev[] = {"EVALSHA",  sha.data(),   "2",    index.data(),
                            key.data(), bytes.data(), "3600", "100000"};
        const size_t ev_lens[] = {7, sha.size(), 1, index.size(), key.size(), bytes.size(), 4, 6};
        freeReplyObject(cmd(c, 8, ev, ev_lens));
        sum += u.age;
      }
      redisFree(c);
    }
  } else if (mode == "lib" || mode == "lib_near") {
    for (long i = 0; i < n; ++i) sum += users(7).age;
  } else if (mode == "lib_near_redis") {
    const auto& st = rc::detail::Access::state(users);
    const std::string key = users.key(7);
    for (long i = 0; i < n; ++i) {
      rc::detail::io::near_evict(st, key);  // the next call misses near, hits Redis
      sum += users(7).age;
    }
  } else if (mode == "raw") {
    redisContext* c = raw_connect(sock);
    std::string key;
    for (long i = 0; i < n; ++i) {
      // The key built each call, as the library does (and as the raw mget
      // and miss cases do); redisCommandArgv: the fastest raw form.
      rc::detail::Access::build_key(users, key, std::int64_t{7});
      const char* argv2[] = {"GET", key.data()};
      const size_t lens[] = {3, key.size()};
      auto* r = static_cast<redisReply*>(redisCommandArgv(c, 2, argv2, lens));
      sum += rc::codec::decode_value<User>(std::string_view(r->str, r->len)).age;
      freeReplyObject(r);
    }
    redisFree(c);
  } else {
    std::fprintf(stderr, "hit_profile: unknown mode %s\n", mode.c_str());
    return 2;
  }
  std::printf("%lld\n", static_cast<long long>(sum));
  return 0;
}
