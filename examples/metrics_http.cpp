// A /metrics endpoint for Prometheus with plain POSIX sockets: every cached
// function of the process, its pool, and the histograms of functions that
// turned them on, as the text exposition that rc::write_metrics writes.
//
//   REDIS_URL=redis://127.0.0.1:6379/0 metrics_http [port [requests]]
//   curl http://127.0.0.1:<port>/metrics
// port 0 (the default) takes any free port; the one taken is printed.
// requests: stop after serving that many (default: serve until killed).
// One connection at a time: a scrape every few seconds needs no more.
#include <redis_cache/redis_cache.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace rc = redis_cache;

int square(int x) {
  return x * x;
}
REDIS_CACHED_WITH(square, .ttl = std::chrono::seconds(60), .latency_histogram = true)

namespace {

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads the request head (up to the blank line, at most 8 KiB) and answers it.
void serve(int fd) {
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    head.append(buf, static_cast<std::size_t>(n));
  }
  const std::string_view line = std::string_view(head).substr(0, head.find("\r\n"));
  std::string status = "404 Not Found", type = "text/plain", body = "try /metrics\n";
  if (line.starts_with("GET /metrics ") || line.starts_with("GET /metrics?")) {
    status = "200 OK";
    type = "text/plain; version=0.0.4; charset=utf-8";  // the exposition format's media type
    body.clear();
    rc::write_metrics(body);
  }
  send_all(fd, "HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

}  // namespace

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 0;
  const long requests = argc > 2 ? std::atol(argv[2]) : -1;  // -1: forever
  const char* url = std::getenv("REDIS_URL");
  rc::RedisCache cache{{
      .url = url && *url ? url : "redis://127.0.0.1:6379/0",
      // The hook, for a metrics or tracing library of your own: here, slow calls logged.
      .on_event =
          [](const rc::Event& e) {
            if (e.duration > std::chrono::milliseconds(100))
              std::fprintf(stderr, "slow %.*s of %.*s: %lld us\n",
                           static_cast<int>(rc::to_string(e.kind).size()),
                           rc::to_string(e.kind).data(), static_cast<int>(e.ns.size()), e.ns.data(),
                           static_cast<long long>(e.duration.count() / 1000));
          },
  }};
  rc::set_default_cache(cache);
  for (int i = 0; i < 3; ++i) square_cached(i % 2);  // two misses, then a hit

  const int srv = ::socket(AF_INET, SOCK_STREAM, 0);
  const int yes = 1;
  ::setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  socklen_t len = sizeof addr;
  if (srv < 0 || ::bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(srv, 16) != 0 || ::getsockname(srv, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::fprintf(stderr, "metrics_http: cannot listen on 127.0.0.1:%d: %s\n", port,
                 std::strerror(errno));
    return 1;
  }
  std::printf("serving http://127.0.0.1:%d/metrics\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  for (long served = 0; requests < 0 || served < requests; ++served) {
    const int fd = ::accept(srv, nullptr, nullptr);
    if (fd < 0) continue;
    serve(fd);
    ::close(fd);
  }
  ::close(srv);
}
