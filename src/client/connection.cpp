// One synchronous hiredis connection (see connection.hpp): lazy connect,
// timeouts, keepalive, AUTH / SELECT / CLIENT SETNAME, rebuild after errors,
// and the one mapping from hiredis errors to redis_cache::Error.
#include "client/connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

// sds.h has no extern "C" of its own in hiredis 0.14 and hiredis.h includes
// it outside its own: include it first, with C linkage.
extern "C" {
#include <hiredis/sds.h>
}
#include <hiredis/hiredis.h>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {
namespace {

/// Normalised timeval (tv_usec < 1e6). 0 ms gives {0, 0}: no socket timeout.
timeval to_timeval(std::chrono::milliseconds ms) {
  const auto count = ms.count() < 0 ? 0 : ms.count();
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(count / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((count % 1000) * 1000);
  return tv;
}

bool is_timeout(int hiredis_err, std::string_view errstr, int saved_errno) {
#ifdef REDIS_ERR_TIMEOUT
  if (hiredis_err == REDIS_ERR_TIMEOUT) return true;
#endif
  if (hiredis_err != REDIS_ERR_IO) return false;
  return saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT ||
         errstr.find("timed out") != std::string_view::npos ||
         errstr.find("Resource temporarily unavailable") != std::string_view::npos;
}

bool is_closed(int hiredis_err, std::string_view errstr, int saved_errno) {
  if (hiredis_err == REDIS_ERR_EOF) return true;
  if (hiredis_err != REDIS_ERR_IO) return false;
  return saved_errno == ECONNRESET || saved_errno == EPIPE ||
         errstr.find("Connection reset") != std::string_view::npos ||
         errstr.find("Broken pipe") != std::string_view::npos;
}

/// Arrays of (pointer, length) for hiredis: on the stack for up to 16
/// arguments (every command of the cache path), on the heap beyond that.
class ArgvBuffer {
 public:
  explicit ArgvBuffer(Argv argv) {
    const char** ptrs = stack_ptrs_.data();
    std::size_t* lens = stack_lens_.data();
    if (argv.size() > kStack) {
      heap_ptrs_ = std::make_unique<const char*[]>(argv.size());
      heap_lens_ = std::make_unique<std::size_t[]>(argv.size());
      ptrs = heap_ptrs_.get();
      lens = heap_lens_.get();
    }
    for (std::size_t i = 0; i < argv.size(); ++i) {
      ptrs[i] = argv[i].data();
      lens[i] = argv[i].size();
    }
    ptrs_ = ptrs;
    lens_ = lens;
    argc_ = static_cast<int>(argv.size());
  }
  int argc() const noexcept { return argc_; }
  const char** ptrs() const noexcept { return ptrs_; }
  const std::size_t* lens() const noexcept { return lens_; }

 private:
  static constexpr std::size_t kStack = 16;
  std::array<const char*, kStack> stack_ptrs_;
  std::array<std::size_t, kStack> stack_lens_;
  std::unique_ptr<const char*[]> heap_ptrs_;
  std::unique_ptr<std::size_t[]> heap_lens_;
  const char** ptrs_ = nullptr;
  const std::size_t* lens_ = nullptr;
  int argc_ = 0;
};

/// Command name for messages (never the key or value: they may be large or binary).
std::string_view command_name(Argv argv) {
  if (argv.empty()) return "(empty command)";
  return argv[0].substr(0, 32);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

[[noreturn]] void throw_hiredis_error(int hiredis_err, std::string_view errstr, int saved_errno,
                                      std::string_view endpoint, std::string_view during) {
  const std::string where = std::string(during) + " on " + std::string(endpoint);
  const std::string detail = errstr.empty() ? std::string("unknown error") : std::string(errstr);
  if (is_timeout(hiredis_err, errstr, saved_errno)) {
    throw TimeoutError("redis_cache: timed out during " + where + " (" + detail +
                       "); the server is slow, paused or unreachable. Raise connect_timeout / "
                       "command_timeout (Options or ?command_timeout=ms in the URL; 0 = wait "
                       "forever) if it is just slow");
  }
  if (is_closed(hiredis_err, errstr, saved_errno)) {
    throw ClosedError("redis_cache: the server closed the connection during " + where + " (" +
                      detail +
                      "); it may have restarted or dropped idle clients. The connection is "
                      "rebuilt on the next call");
  }
  switch (hiredis_err) {
    case REDIS_ERR_PROTOCOL:
      throw ProtocolError("redis_cache: malformed reply during " + where + " (" + detail +
                          "); is that a Redis server? The connection is rebuilt on the next call");
    case REDIS_ERR_OOM:
      throw ConnectionError("redis_cache: out of memory in hiredis during " + where);
    case REDIS_ERR_IO:
    case REDIS_ERR_OTHER:
    default:
      throw ConnectionError("redis_cache: connection failure during " + where + " (" + detail +
                            "); check that redis-server runs there and that Options::url is "
                            "right. The connection is rebuilt on the next call");
  }
}

[[noreturn]] void throw_reply_error(std::string_view message, std::string_view where) {
  const std::string prefix(message.substr(0, message.find(' ')));
  std::string msg =
      "redis_cache: Redis error reply to " + std::string(where) + ": " + std::string(message);
  if (prefix == "MOVED") {
    throw MovedError(msg + " (this server is part of a Redis Cluster: use a redis+cluster:// URL)");
  }
  if (prefix == "ASK") {
    throw AskError(msg + " (this server is part of a Redis Cluster: use a redis+cluster:// URL)");
  }
  if (prefix == "CROSSSLOT") {
    throw CrossSlotError(msg + " (all keys of one command must share a hash slot)");
  }
  if (prefix == "TRYAGAIN" || prefix == "CLUSTERDOWN" || prefix == "LOADING" ||
      prefix == "MASTERDOWN") {
    throw TryAgainError(msg + " (transient: retry shortly)");
  }
  if (prefix == "NOSCRIPT") throw NoScriptError(msg);
  if (prefix == "NOAUTH" || prefix == "WRONGPASS" || starts_with(message, "ERR invalid password") ||
      message.find("without any password configured") != std::string_view::npos) {
    throw AuthError(msg +
                    " (check the user and password in the URL: redis://[user:]password@host)");
  }
  throw ReplyError(msg);
}

Connection::Connection(ConnectionConfig cfg) : cfg_(std::move(cfg)) {}

Connection::~Connection() {
  reset();
}

namespace {

/// Sends hiredis's output buffer with send(MSG_NOSIGNAL) instead of letting
/// hiredis write() it: writing to a socket the server has reset then fails
/// with EPIPE (a ClosedError) and never raises SIGPIPE, whose default action
/// would kill the process — without changing the program's signal handling
/// and without a syscall more than hiredis itself makes.
bool send_output(redisContext* c) noexcept {
  while (sdslen(c->obuf) > 0) {
    const ssize_t n = ::send(c->fd, c->obuf, sdslen(c->obuf), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      c->err = REDIS_ERR_IO;
      std::snprintf(c->errstr, sizeof c->errstr, "%s", std::strerror(saved));
      errno = saved;
      return false;
    }
    sdsrange(c->obuf, static_cast<int>(n), -1);
  }
  return true;
}

/// One command: queue it, send it ourselves, read its reply. nullptr on error.
redisReply* round_trip(redisContext* c, const ArgvBuffer& buf) noexcept {
  if (redisAppendCommandArgv(c, buf.argc(), buf.ptrs(), buf.lens()) != REDIS_OK) return nullptr;
  if (!send_output(c)) return nullptr;
  void* raw = nullptr;
  if (redisGetReply(c, &raw) != REDIS_OK) return nullptr;
  return static_cast<redisReply*>(raw);
}

}  // namespace

void Connection::reset() noexcept {
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
}

void Connection::fail(std::string_view during) {
  const int saved_errno = errno;
  const int err = ctx_ != nullptr ? ctx_->err : REDIS_ERR_OTHER;
  const std::string errstr = ctx_ != nullptr ? std::string(ctx_->errstr) : std::string();
  reset();  // hiredis 0.14: a context that saw an error is dead
  ++io_failures_;
  std::string what(during);
  if (is_timeout(err, errstr, saved_errno)) {
    what += " (connect_timeout " + std::to_string(cfg_.connect_timeout.count()) +
            " ms, command_timeout " + std::to_string(cfg_.command_timeout.count()) + " ms)";
  }
  throw_hiredis_error(err, errstr, saved_errno, cfg_.endpoint(), what);
}

void Connection::ensure_connected() {
  if (ctx_ == nullptr) connect();
}

void Connection::connect() {
  reset();
  const timeval ctv = to_timeval(cfg_.connect_timeout);
  const bool bounded = cfg_.connect_timeout.count() > 0;
  errno = 0;
  if (!cfg_.socket_path.empty()) {
    ctx_ = bounded ? redisConnectUnixWithTimeout(cfg_.socket_path.c_str(), ctv)
                   : redisConnectUnix(cfg_.socket_path.c_str());
  } else {
    ctx_ = bounded ? redisConnectWithTimeout(cfg_.host.c_str(), cfg_.port, ctv)
                   : redisConnect(cfg_.host.c_str(), cfg_.port);
  }
  if (ctx_ == nullptr) {
    throw ConnectionError("redis_cache: cannot allocate a hiredis context for " + cfg_.endpoint());
  }
  if (ctx_->err != 0) fail("connect");
  // {0, 0} (command_timeout = 0) clears the socket timeout: wait forever.
  if (redisSetTimeout(ctx_, to_timeval(cfg_.command_timeout)) != REDIS_OK) {
    fail("setting the command timeout");
  }
  if (cfg_.keepalive && cfg_.socket_path.empty() && redisEnableKeepAlive(ctx_) != REDIS_OK) {
    fail("enabling TCP keepalive");
  }
  if (!cfg_.password.empty()) {
    if (cfg_.user.empty()) {
      const std::array<std::string_view, 2> argv{"AUTH", cfg_.password};
      setup(argv, "AUTH");
    } else {
      const std::array<std::string_view, 3> argv{"AUTH", cfg_.user, cfg_.password};
      setup(argv, "AUTH (ACL user '" + cfg_.user + "')");
    }
  }
  if (cfg_.db != 0) {
    const std::string db = std::to_string(cfg_.db);
    const std::array<std::string_view, 2> argv{"SELECT", db};
    setup(argv, "SELECT " + db);
  }
  if (!cfg_.client_name.empty()) {
    const std::array<std::string_view, 3> argv{"CLIENT", "SETNAME", cfg_.client_name};
    setup(argv, "CLIENT SETNAME");
  }
}

void Connection::setup(Argv argv, std::string_view what) {
  const ArgvBuffer buf(argv);
  errno = 0;
  redisReply* raw = round_trip(ctx_, buf);
  if (raw == nullptr) fail(what);
  const Reply reply(raw);
  if (reply.type() == ReplyType::error) {
    reset();  // half set up: never hand out a connection without its AUTH / SELECT
    throw_reply_error(reply.str(),
                      std::string(what) + " on " + cfg_.endpoint() + " while connecting");
  }
}

Reply Connection::exec(Argv argv) {
  const ArgvBuffer buf(argv);
  errno = 0;
  redisReply* raw = round_trip(ctx_, buf);
  if (raw == nullptr) fail(command_name(argv));
  Reply reply(raw);
  if (reply.type() == ReplyType::error) {
    throw_reply_error(reply.str(), std::string(command_name(argv)) + " on " + cfg_.endpoint());
  }
  return reply;
}

// A connection that sat idle in the pool while the server restarted (or
// closed it) fails on its first use. Such a failure — closed or reset, not a
// timeout — is retried once on a fresh connection. Every command the cache
// sends is idempotent (GET, SET, the FIFO script, DEL, UNLINK, SCAN), so a
// command that ran but lost its reply does no harm when sent again.
static bool retry_on_fresh(const ConnectionError& e, bool reused) noexcept {
  return reused && dynamic_cast<const TimeoutError*>(&e) == nullptr;
}

Reply Connection::command(Argv argv) {
  const bool reused = ctx_ != nullptr;
  ensure_connected();
  try {
    return exec(argv);
  } catch (const ConnectionError& e) {
    if (!retry_on_fresh(e, reused)) throw;
  }
  connect();
  return exec(argv);
}

void Connection::send(Argv argv) {
  ensure_connected();
  const ArgvBuffer buf(argv);
  errno = 0;
  if (redisAppendCommandArgv(ctx_, buf.argc(), buf.ptrs(), buf.lens()) != REDIS_OK ||
      !send_output(ctx_)) {
    fail(command_name(argv));
  }
}

std::optional<Reply> Connection::receive(std::chrono::milliseconds timeout) {
  if (ctx_ == nullptr) {
    throw ConnectionError("redis_cache: receive on " + cfg_.endpoint() +
                          " without a connection (it was dropped after an error)");
  }
  void* raw = nullptr;
  // A message already read into hiredis's buffer comes first.
  if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) fail("reading a pushed message");
  if (raw == nullptr) {
    pollfd p{ctx_->fd, POLLIN, 0};
    const int wait = static_cast<int>(std::max<std::chrono::milliseconds::rep>(timeout.count(), 0));
    int n = 0;
    do {
      n = ::poll(&p, 1, wait);
    } while (n < 0 && errno == EINTR);
    if (n < 0) fail("waiting for a pushed message");
    if (n == 0) return std::nullopt;
    errno = 0;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      fail("reading a pushed message");
    }
  }
  return Reply(static_cast<redisReply*>(raw));
}

std::vector<Reply> Connection::pipeline(std::span<const std::vector<std::string_view>> cmds) {
  pipeline_send(cmds);
  return pipeline_receive(cmds);
}

void Connection::pipeline_send(std::span<const std::vector<std::string_view>> cmds) {
  sent_on_reused_ = false;
  if (cmds.empty()) return;
  const bool reused = ctx_ != nullptr;
  ensure_connected();
  try {
    send_pipeline(cmds);
    sent_on_reused_ = reused;
    return;
  } catch (const ConnectionError& e) {
    if (!retry_on_fresh(e, reused)) throw;
  }
  connect();
  send_pipeline(cmds);
}

std::vector<Reply> Connection::pipeline_receive(
    std::span<const std::vector<std::string_view>> cmds) {
  if (cmds.empty()) return {};
  const bool reused = std::exchange(sent_on_reused_, false);
  if (ctx_ == nullptr) {
    throw ConnectionError("redis_cache: pipeline_receive on " + cfg_.endpoint() +
                          " without a successful pipeline_send (the connection was dropped)");
  }
  try {
    return read_pipeline(cmds);
  } catch (const ConnectionError& e) {
    if (!retry_on_fresh(e, reused)) throw;
  }
  connect();
  return exec_pipeline(cmds);
}

std::vector<Reply> Connection::exec_pipeline(std::span<const std::vector<std::string_view>> cmds) {
  send_pipeline(cmds);
  return read_pipeline(cmds);
}

void Connection::send_pipeline(std::span<const std::vector<std::string_view>> cmds) {
  for (const auto& cmd : cmds) {
    const ArgvBuffer buf(cmd);
    errno = 0;
    if (redisAppendCommandArgv(ctx_, buf.argc(), buf.ptrs(), buf.lens()) != REDIS_OK) {
      fail("pipeline (queueing " + std::string(command_name(cmd)) + ")");
    }
  }
  if (!send_output(ctx_)) fail("pipeline (sending " + std::to_string(cmds.size()) + " commands)");
}

std::vector<Reply> Connection::read_pipeline(std::span<const std::vector<std::string_view>> cmds) {
  std::vector<Reply> replies;
  replies.reserve(cmds.size());
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    void* raw = nullptr;
    errno = 0;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      // Unread replies would be misattributed to later commands: fail() resets.
      fail("pipeline (reply " + std::to_string(i + 1) + " of " + std::to_string(cmds.size()) +
           ", " + std::string(command_name(cmds[i])) + ")");
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

}  // namespace redis_cache::detail
