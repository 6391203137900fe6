// RAII over hiredis replies, without exposing hiredis to callers.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct redisReply;  // hiredis

namespace redis_cache::detail {

enum class ReplyType { string, array, integer, nil, status, error };

/// Non-owning view of one reply node (valid while its owning Reply lives).
class ReplyRef {
 public:
  explicit ReplyRef(const redisReply* r) noexcept : r_(r) {}
  ReplyType type() const noexcept;
  bool is_nil() const noexcept { return type() == ReplyType::nil; }
  /// Bytes of a string, status or error reply (empty otherwise).
  std::string_view str() const noexcept;
  long long integer() const noexcept;
  /// Elements of an array reply (0 otherwise).
  std::size_t size() const noexcept;
  ReplyRef operator[](std::size_t i) const noexcept;
  const redisReply* raw() const noexcept { return r_; }

 private:
  const redisReply* r_;
};

struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept;
};

/// Owns a whole reply tree (freeReplyObject on destruction).
class Reply : public ReplyRef {
 public:
  explicit Reply(redisReply* r) noexcept : ReplyRef(r), own_(r) {}
  Reply(Reply&&) noexcept = default;
  Reply& operator=(Reply&&) noexcept = default;

 private:
  std::unique_ptr<redisReply, ReplyDeleter> own_;
};

}  // namespace redis_cache::detail
