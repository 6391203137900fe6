// One synchronous connection (see connection.hpp): lazy connect, timeouts,
// keepalive, AUTH / SELECT / CLIENT SETNAME, rebuild after errors, and the one
// mapping from I/O failures (hiredis's codes) to redis_cache::Error.
#include "client/connection.hpp"

#include <array>
#include <cerrno>
#include <string>
#include <utility>

#include <hiredis/read.h>

#include <redis_cache/errors.hpp>

#include "client/tls.hpp"

namespace redis_cache::detail {
namespace {

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

Connection::Connection(ConnectionConfig cfg) : cfg_(std::move(cfg)) {
  // A config made by hand (not by parse_url) gets its TLS context here; files
  // that cannot be read are a ConfigError now, not at the first command.
  if (cfg_.tls && cfg_.tls_context == nullptr)
    cfg_.tls_context = make_tls_context(cfg_.tls_options);
}

Connection::~Connection() {
  reset();
}

void Connection::reset() noexcept {
  stream_.close();
}

void Connection::fail(std::string_view during) {
  const IoFailure why = stream_.error();
  reset();  // a connection that saw an error is never used again
  ++io_failures_;
  std::string what(during);
  if (why.tls) {
    if (why.saved_errno == EAGAIN)
      what += " (connect_timeout " + std::to_string(cfg_.connect_timeout.count()) + " ms)";
    throw TlsError("redis_cache: TLS failure during " + what + " on " + cfg_.endpoint() + ": " +
                   why.text);
  }
  if (is_timeout(why.code, why.text, why.saved_errno)) {
    what += " (connect_timeout " + std::to_string(cfg_.connect_timeout.count()) +
            " ms, command_timeout " + std::to_string(cfg_.command_timeout.count()) + " ms)";
  }
  throw_hiredis_error(why.code, why.text, why.saved_errno, cfg_.endpoint(), what);
}

void Connection::ensure_connected() {
  if (!stream_.is_open()) connect();
}

void Connection::connect() {
  reset();
  if (!stream_.open(cfg_)) fail(cfg_.tls_context != nullptr ? "connect (TLS)" : "connect");
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
  stream_.append(argv);
  redisReply* raw = stream_.flush() ? stream_.get_reply() : nullptr;
  if (raw == nullptr) fail(std::string(what) + " while connecting");
  const Reply reply(raw);
  if (reply.type() == ReplyType::error) {
    reset();  // half set up: never hand out a connection without its AUTH / SELECT
    throw_reply_error(reply.str(),
                      std::string(what) + " on " + cfg_.endpoint() + " while connecting");
  }
}

Reply Connection::exec(Argv argv) {
  stream_.append(argv);
  redisReply* raw = stream_.flush() ? stream_.get_reply() : nullptr;
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
  const bool reused = stream_.is_open();
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
  stream_.append(argv);
  if (!stream_.flush()) fail(command_name(argv));
}

std::optional<Reply> Connection::receive(std::chrono::milliseconds timeout) {
  if (!stream_.is_open()) {
    throw ConnectionError("redis_cache: receive on " + cfg_.endpoint() +
                          " without a connection (it was dropped after an error)");
  }
  redisReply* raw = nullptr;
  if (!stream_.poll_reply(timeout, raw)) fail("reading a pushed message");
  if (raw == nullptr) return std::nullopt;
  return Reply(raw);
}

std::vector<Reply> Connection::pipeline(std::span<const std::vector<std::string_view>> cmds) {
  pipeline_send(cmds);
  return pipeline_receive(cmds);
}

void Connection::pipeline_send(std::span<const std::vector<std::string_view>> cmds) {
  sent_on_reused_ = false;
  if (cmds.empty()) return;
  const bool reused = stream_.is_open();
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
  if (!stream_.is_open()) {
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
  for (const auto& cmd : cmds) stream_.append(cmd);
  if (!stream_.flush()) fail("pipeline (sending " + std::to_string(cmds.size()) + " commands)");
}

std::vector<Reply> Connection::read_pipeline(std::span<const std::vector<std::string_view>> cmds) {
  std::vector<Reply> replies;
  replies.reserve(cmds.size());
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    redisReply* raw = stream_.get_reply();
    if (raw == nullptr) {
      // Unread replies would be misattributed to later commands: fail() resets.
      fail("pipeline (reply " + std::to_string(i + 1) + " of " + std::to_string(cmds.size()) +
           ", " + std::string(command_name(cmds[i])) + ")");
    }
    replies.emplace_back(raw);
  }
  return replies;
}

}  // namespace redis_cache::detail
