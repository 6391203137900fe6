// A private redis-server for tests: started on a free loopback port and a unix
// socket in a fresh temp dir, no persistence; stopped and cleaned up in the
// destructor. If it cannot start, the constructor throws (tests fail, never skip).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <sys/types.h>

namespace rc_test {

/// For a server that speaks TLS: it listens on a TLS port only (--port 0
/// --tls-port), plus its unix socket (plaintext, used to check it is up and by cli()).
struct TlsServerFiles {
  std::string cert;           ///< --tls-cert-file
  std::string key;            ///< --tls-key-file
  std::string ca;             ///< --tls-ca-cert-file (client certificates are checked against it)
  bool auth_clients = false;  ///< --tls-auth-clients yes: a client certificate is required
};

class RedisServer {
 public:
  /// extra_args: appended to the redis-server command line, e.g. {"--requirepass", "s3cret"}.
  /// config: if not empty, written to <dir>/redis.conf and passed as the config
  /// file (first argument), e.g. a sentinel's `sentinel monitor ...` lines.
  explicit RedisServer(std::vector<std::string> extra_args = {}, std::string config = {});
  /// A TLS server: port() is its TLS port. (extra_args has no default, so
  /// that RedisServer({"--flag", "value"}) stays unambiguous.) config: as above.
  RedisServer(TlsServerFiles tls, std::vector<std::string> extra_args, std::string config = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  const std::string& socket_path() const { return socket_; }
  const std::string& dir() const { return dir_; }
  /// "redis://127.0.0.1:<port>/<db>"
  std::string url(int db = 0) const;
  /// "unix://<socket>?db=<db>"
  std::string unix_url(int db = 0) const;
  /// "rediss://127.0.0.1:<port>/<db>" (a TLS server; add ?tls_ca=... as needed)
  std::string tls_url(int db = 0) const;

  void stop();    ///< SIGTERM and wait
  void kill();    ///< SIGKILL and wait
  void start();   ///< (re)start on the same port and socket
  void pause();   ///< SIGSTOP: the server accepts nothing, replies to nothing
  void resume();  ///< SIGCONT
  bool running() const { return pid_ > 0; }
  /// Bytes that clients sent over TCP and the server has not read yet (from
  /// /proc/net/tcp): above 0 once a command reached a paused server.
  std::size_t unread_bytes() const;

  /// Runs redis-cli against this server and returns its stdout (trimmed).
  std::string cli(const std::vector<std::string>& args) const;
  /// redis-cli over TCP to 127.0.0.1:port(); for a TLS server with --tls and
  /// its files (its certificate doubles as the client's). For what needs TCP:
  /// -c (redirects name TCP ports), --cluster create.
  std::string cli_tcp(const std::vector<std::string>& args) const;

 private:
  void init(std::string config);
  /// argv + the AUTH options (under --requirepass) + args.
  std::vector<std::string> with_auth(std::vector<std::string> argv,
                                     const std::vector<std::string>& args) const;

  std::vector<std::string> extra_;
  TlsServerFiles tls_;
  bool is_tls_ = false;
  std::string config_;  // config file path ("" = none)
  std::string dir_, socket_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace rc_test
