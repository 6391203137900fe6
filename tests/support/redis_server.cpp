// A private redis-server for tests (see redis_server.hpp).
#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <hiredis/hiredis.h>

namespace rc_test {
namespace {

using namespace std::chrono_literals;

/// A loopback port nobody listens on right now (bind port 0, read it, close).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error(std::string("RedisServer: socket(): ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("RedisServer: cannot find a free loopback port: " + err);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tail(const std::string& s, std::size_t n = 1500) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

/// Polls waitpid for up to `limit`; true if the child exited (and was reaped).
bool wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
}

/// true once the server answers PING (PONG, or NOAUTH under requirepass), on
/// its TCP port or (a TLS server) its unix socket.
bool answers_ping(int port, const std::string& unix_socket) {
  timeval tv{0, 200 * 1000};
  redisContext* c = unix_socket.empty() ? redisConnectWithTimeout("127.0.0.1", port, tv)
                                        : redisConnectUnixWithTimeout(unix_socket.c_str(), tv);
  if (c == nullptr) return false;
  bool ok = false;
  if (c->err == 0 && redisSetTimeout(c, tv) == REDIS_OK) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
    if (r != nullptr) {
      const std::string s = r->str != nullptr ? std::string(r->str, r->len) : std::string();
      ok = (r->type == REDIS_REPLY_STATUS && s == "PONG") ||
           (r->type == REDIS_REPLY_ERROR && s.rfind("NOAUTH", 0) == 0);
      freeReplyObject(r);
    }
  }
  redisFree(c);
  return ok;
}

/// Runs argv (argv[0] an absolute path) and returns its stdout; throws if it fails.
std::string run_capture(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("RedisServer::cli: pipe() failed");
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error("RedisServer::cli: fork() failed");
  }
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("RedisServer::cli: " + args[0] + " failed (status " +
                             std::to_string(status) + "), output: " + out);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

}  // namespace

RedisServer::RedisServer(std::vector<std::string> extra_args, std::string config)
    : extra_(std::move(extra_args)) {
  init(std::move(config));
}

RedisServer::RedisServer(TlsServerFiles tls, std::vector<std::string> extra_args,
                         std::string config)
    : extra_(std::move(extra_args)), tls_(std::move(tls)), is_tls_(true) {
  init(std::move(config));
}

void RedisServer::init(std::string config) {
  std::string templ = (std::filesystem::temp_directory_path() / "rc-redis-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("RedisServer: mkdtemp failed: " + std::string(std::strerror(errno)));
  }
  dir_ = templ;
  socket_ = dir_ + "/redis.sock";
  if (!config.empty()) {
    config_ = dir_ + "/redis.conf";
    std::ofstream(config_) << config;
  }
  try {
    // The free port can be taken between our probe and redis-server's bind: retry.
    for (int attempt = 1;; ++attempt) {
      port_ = free_port();
      try {
        start();
        break;
      } catch (const std::runtime_error&) {
        if (attempt >= 5) throw;
      }
    }
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

RedisServer::~RedisServer() {
  if (pid_ > 0) kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string RedisServer::url(int db) const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

std::string RedisServer::tls_url(int db) const {
  return "rediss://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

std::string RedisServer::unix_url(int db) const {
  return "unix://" + socket_ + "?db=" + std::to_string(db);
}

void RedisServer::start() {
  if (pid_ > 0) return;
  std::vector<std::string> args = {RC_REDIS_SERVER};
  if (!config_.empty()) args.push_back(config_);
  args.insert(args.end(), {"--port", is_tls_ ? "0" : std::to_string(port_), "--bind", "127.0.0.1",
                           "--unixsocket", socket_, "--unixsocketperm", "700", "--dir", dir_,
                           "--save", "", "--appendonly", "no", "--daemonize", "no"});
  if (is_tls_) {  // --port 0: TLS only
    args.insert(args.end(), {"--tls-port", std::to_string(port_), "--tls-cert-file", tls_.cert,
                             "--tls-key-file", tls_.key, "--tls-ca-cert-file", tls_.ca,
                             "--tls-auth-clients", tls_.auth_clients ? "yes" : "no"});
  }
  args.insert(args.end(), extra_.begin(), extra_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = dir_ + "/redis.log";

  // Restarting on the same port can race with the old socket's teardown; retry.
  std::string last_log;
  std::string why = "did not answer PING within 5 s";
  for (int attempt = 1; attempt <= 5; ++attempt) {
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("RedisServer: cannot create " + log);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(log_fd);
      throw std::runtime_error("RedisServer: fork() failed: " + std::string(std::strerror(errno)));
    }
    if (pid == 0) {
#ifdef __linux__
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
      if (::getppid() != parent) ::_exit(1);
#else
      (void)parent;
#endif
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
      // Do not inherit the test's sockets (clients would not see EOF on close).
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(log_fd);
    pid_ = pid;

    const auto deadline = std::chrono::steady_clock::now() + 5s;
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited = true;
        break;
      }
      if (answers_ping(port_, is_tls_ ? socket_ : std::string())) return;
      std::this_thread::sleep_for(10ms);
    }
    if (exited) {
      why = "exited at once";
    } else {
      ::kill(pid_, SIGKILL);
      wait_exit(pid_, 2000ms);
    }
    pid_ = -1;
    last_log = read_file(log);
    const bool in_use = last_log.find("Address already in use") != std::string::npos;
    if (!in_use) break;
    std::this_thread::sleep_for(100ms * attempt);
  }
  throw std::runtime_error("RedisServer: cannot start " + std::string(RC_REDIS_SERVER) +
                           " on 127.0.0.1:" + std::to_string(port_) + " (socket " + socket_ +
                           "): it " + why + "; its log says:\n" + tail(last_log));
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);  // a paused server must run to act on SIGTERM
  if (!wait_exit(pid_, 5000ms)) {
    ::kill(pid_, SIGKILL);
    wait_exit(pid_, 5000ms);
  }
  pid_ = -1;
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit(pid_, 5000ms);
  pid_ = -1;
}

void RedisServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::size_t RedisServer::unread_bytes() const {
  // Lines: "sl local rem st tx_queue:rx_queue ...", addresses as hex "ADDR:PORT".
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // the header
  std::size_t total = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string sl, local, remote, state, queues;
    fields >> sl >> local >> remote >> state >> queues;
    const auto colon = local.rfind(':'), queue_colon = queues.find(':');
    if (colon == std::string::npos || queue_colon == std::string::npos) continue;
    if (state != "01" || std::stoi(local.substr(colon + 1), nullptr, 16) != port_) continue;
    total += std::stoul(queues.substr(queue_colon + 1), nullptr, 16);  // ESTABLISHED, to us
  }
  return total;
}

std::string RedisServer::cli_tcp(const std::vector<std::string>& args) const {
  if (!is_tls_) return cli(args);
  std::vector<std::string> argv = {
      RC_REDIS_CLI, "-h",       "127.0.0.1", "-p",     std::to_string(port_),
      "--tls",      "--cacert", tls_.ca,     "--cert", tls_.cert,
      "--key",      tls_.key};
  return run_capture(with_auth(std::move(argv), args));
}

std::string RedisServer::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {RC_REDIS_CLI, "-h", "127.0.0.1", "-p", std::to_string(port_)};
  if (is_tls_) argv = {RC_REDIS_CLI, "-s", socket_};
  return run_capture(with_auth(std::move(argv), args));
}

std::vector<std::string> RedisServer::with_auth(std::vector<std::string> argv,
                                                const std::vector<std::string>& args) const {
  // Authenticate as the default user when the server was started with --requirepass.
  for (std::size_t i = 0; i + 1 < extra_.size(); ++i) {
    if (extra_[i] == "--requirepass") {
      argv.insert(argv.end(), {"--no-auth-warning", "-a", extra_[i + 1]});
    }
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace rc_test
