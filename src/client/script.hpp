// Lua scripts sent as EVALSHA with a locally computed SHA1; on NOSCRIPT the
// script is sent with EVAL (which also loads it) on the same connection.
#pragma once

#include <string>
#include <string_view>

#include "client/connection.hpp"

namespace redis_cache::detail {

class Script {
 public:
  explicit Script(std::string body);
  const std::string& body() const noexcept { return body_; }
  const std::string& sha1() const noexcept { return sha1_; }  ///< 40 lowercase hex digits

 private:
  std::string body_;
  std::string sha1_;
};

/// SHA1 of `data` as 40 lowercase hex digits.
std::string sha1_hex(std::string_view data);

/// EVALSHA sha numkeys keys... args...; on NOSCRIPT: EVAL body numkeys keys... args...
Reply eval(Connection& conn, const Script& script, std::span<const std::string_view> keys,
           std::span<const std::string_view> args);

}  // namespace redis_cache::detail
