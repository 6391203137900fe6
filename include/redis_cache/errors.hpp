// redis_cache/errors.hpp — the one exception hierarchy of redis_cache.
//
// Every failure the library reports is a redis_cache::Error. Messages say what
// failed, where (host:port, key or namespace) and, where it helps, what to do.
//
//   Error
//   ├── ConnectionError     cannot connect, connection lost, I/O error
//   │   ├── TimeoutError    connect or command timeout passed
//   │   ├── ClosedError     the server closed the connection
//   │   └── CircuitOpenError  skipped: the server failed repeatedly, cooling down
//   ├── ProtocolError       malformed reply (RESP)
//   ├── ReplyError          Redis answered with an error reply
//   │   ├── MovedError      -MOVED slot host:port   (cluster)
//   │   ├── AskError        -ASK slot host:port     (cluster)
//   │   ├── CrossSlotError  -CROSSSLOT
//   │   ├── TryAgainError   -TRYAGAIN / -CLUSTERDOWN / -LOADING / -MASTERDOWN (transient)
//   │   ├── NoScriptError   -NOSCRIPT (EVALSHA of a script the server does not hold)
//   │   └── AuthError       -NOAUTH / -WRONGPASS (missing or wrong user / password)
//   ├── PoolTimeout         no free connection within the pool's wait bound
//   ├── ConfigError         bad URL or option (the message names it)
//   ├── DecodeError         bytes that are not a value of the expected type
//   └── RecursionError      a cached function called itself with the same arguments
#pragma once

#include <stdexcept>
#include <string>

namespace redis_cache {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConnectionError : public Error {
 public:
  using Error::Error;
};
class TimeoutError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};
class ClosedError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};
/// The call did not reach Redis: the server failed (connect errors or timeouts)
/// Options::circuit_breaker.failures times in a row, and calls skip it until
/// the cool-down has passed and one probing call has succeeded.
class CircuitOpenError : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};
class ProtocolError : public Error {
 public:
  using Error::Error;
};

class ReplyError : public Error {
 public:
  using Error::Error;
};
class MovedError : public ReplyError {
 public:
  using ReplyError::ReplyError;
};
class AskError : public ReplyError {
 public:
  using ReplyError::ReplyError;
};
class CrossSlotError : public ReplyError {
 public:
  using ReplyError::ReplyError;
};
class TryAgainError : public ReplyError {
 public:
  using ReplyError::ReplyError;
};
class NoScriptError : public ReplyError {
 public:
  using ReplyError::ReplyError;
};
class AuthError : public ReplyError {
 public:
  using ReplyError::ReplyError;
};

class PoolTimeout : public Error {
 public:
  using Error::Error;
};
class ConfigError : public Error {
 public:
  using Error::Error;
};
class DecodeError : public Error {
 public:
  using Error::Error;
};
/// A cached function called itself with the same arguments while computing them
/// (with single flight it would wait for its own result forever).
class RecursionError : public Error {
 public:
  using Error::Error;
};

}  // namespace redis_cache
