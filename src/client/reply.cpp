// RAII over hiredis replies (see reply.hpp).
#include "client/reply.hpp"

#include <hiredis/hiredis.h>

namespace redis_cache::detail {

ReplyType ReplyRef::type() const noexcept {
  if (r_ == nullptr) return ReplyType::nil;
  switch (r_->type) {
    case REDIS_REPLY_STRING:
      return ReplyType::string;
    case REDIS_REPLY_ARRAY:
      return ReplyType::array;
    case REDIS_REPLY_INTEGER:
      return ReplyType::integer;
    case REDIS_REPLY_STATUS:
      return ReplyType::status;
    case REDIS_REPLY_ERROR:
      return ReplyType::error;
#if HIREDIS_MAJOR >= 1
    // RESP3 types (hiredis >= 1.0); we speak RESP2, but map them sensibly.
    case REDIS_REPLY_DOUBLE:
    case REDIS_REPLY_VERB:
    case REDIS_REPLY_BIGNUM:
      return ReplyType::string;
    case REDIS_REPLY_BOOL:
      return ReplyType::integer;
    case REDIS_REPLY_MAP:
    case REDIS_REPLY_SET:
    case REDIS_REPLY_PUSH:
      return ReplyType::array;
#endif
    default:
      return ReplyType::nil;
  }
}

std::string_view ReplyRef::str() const noexcept {
  if (r_ == nullptr || r_->str == nullptr) return {};
  switch (type()) {
    case ReplyType::string:
    case ReplyType::status:
    case ReplyType::error:
      return {r_->str, static_cast<std::size_t>(r_->len)};
    default:
      return {};
  }
}

long long ReplyRef::integer() const noexcept {
  return r_ != nullptr && type() == ReplyType::integer ? r_->integer : 0;
}

std::size_t ReplyRef::size() const noexcept {
  return r_ != nullptr && type() == ReplyType::array ? r_->elements : 0;
}

ReplyRef ReplyRef::operator[](std::size_t i) const noexcept {
  return ReplyRef(i < size() ? r_->element[i] : nullptr);
}

void ReplyDeleter::operator()(redisReply* r) const noexcept {
  freeReplyObject(r);
}

}  // namespace redis_cache::detail
