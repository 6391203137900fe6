// RESP over a Transport (see resp_stream.hpp).
#include "client/resp_stream.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

// sds.h has no extern "C" of its own in hiredis 0.14 and hiredis.h includes
// it outside its own: include it first, with C linkage.
extern "C" {
#include <hiredis/sds.h>
}
#include <hiredis/hiredis.h>

namespace redis_cache::detail {
namespace {

/// What hiredis reads at once (redisBufferRead's buffer).
constexpr std::size_t kReadChunk = 16 * 1024;
/// An output buffer above this is released after a write, not kept for the next.
constexpr std::size_t kKeepOutput = 64 * 1024;

/// "<type><n>\r\n", e.g. "*3\r\n" or "$5\r\n".
void append_header(std::string& out, char type, std::size_t n) {
  char buf[24];
  buf[0] = type;
  char* end = std::to_chars(buf + 1, buf + sizeof buf - 2, n).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out.append(buf, static_cast<std::size_t>(end - buf));
}

/// A TLS record's first bytes: alert (0x15) or handshake (0x16), version 3.x.
bool looks_like_tls(const char* data, long n) {
  return n >= 2 && (data[0] == '\x15' || data[0] == '\x16') && data[1] == '\x03';
}

/// The peer closed or reset the connection.
bool closed_by_peer(const IoFailure& f) {
  return f.code == REDIS_ERR_EOF || f.saved_errno == ECONNRESET || f.saved_errno == EPIPE;
}

}  // namespace

bool RespStream::explain_early_close() {
  const IoFailure& f = transport_.error();
  if (replied_ || f.tls || !closed_by_peer(f)) return false;
  failure_ = true;
  reader_failure_ = f;
  if (transport_.tls()) {
    // TLS 1.3: the client's handshake ends before the server has checked the
    // client's certificate; a refusal shows up here, often as a bare reset.
    reader_failure_.text =
        "the server closed the connection right after the TLS handshake, before answering (" +
        f.text +
        (transport_.client_certificate()
             ? "): it rejected this client's certificate (it must be signed by a CA in the "
               "server's tls-ca-cert-file and be valid now)"
             : "): it requires a client certificate (tls-auth-clients): give one with tls_cert "
               "and tls_key (TlsOptions::cert_file and key_file)");
    reader_failure_.tls = true;
  } else {
    reader_failure_.text +=
        "; nothing was answered on this new connection: if that port serves TLS, use rediss://";
  }
  return true;
}

RespStream::~RespStream() {
  close();
}

bool RespStream::open(const ConnectionConfig& cfg) {
  close();
  if (!transport_.open(cfg)) return false;
  reader_ = redisReaderCreate();
  if (reader_ == nullptr) {
    transport_.close();
    failure_ = true;
    reader_failure_ = IoFailure{REDIS_ERR_OOM, 0, "Out of memory", false};
    return false;
  }
  return true;
}

void RespStream::close() noexcept {
  transport_.close();
  if (reader_ != nullptr) {
    redisReaderFree(reader_);
    reader_ = nullptr;
  }
  out_.clear();
  replied_ = false;
  failure_ = false;
}

void RespStream::append(std::span<const std::string_view> argv) {
  append_header(out_, '*', argv.size());
  for (const std::string_view arg : argv) {
    append_header(out_, '$', arg.size());
    out_.append(arg);
    out_.append("\r\n", 2);
  }
}

bool RespStream::flush() {
  const bool ok = transport_.write_all(out_.data(), out_.size());
  if (!ok) explain_early_close();
  if (out_.capacity() > kKeepOutput) {
    std::string().swap(out_);
  } else {
    out_.clear();
  }
  return ok;
}

bool RespStream::take(redisReply*& out) {
  void* raw = nullptr;
  if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
    failure_ = true;
    reader_failure_ = IoFailure{REDIS_ERR_PROTOCOL, 0, reader_->errstr, false};
    return false;
  }
  out = static_cast<redisReply*>(raw);
  if (out != nullptr) replied_ = true;
  return true;
}

bool RespStream::feed(const char* data, long n, redisReply*& out) {
  if (!replied_ && looks_like_tls(data, n)) {
    // The first bytes of this connection are a TLS record (a TLS port answers
    // a plaintext command with an alert): say so instead of "protocol error".
    failure_ = true;
    reader_failure_ = IoFailure{
        REDIS_ERR_PROTOCOL, 0,
        "the server answered with TLS, not RESP: this port expects TLS. Use a rediss:// URL "
        "(rediss+cluster:// for a cluster), see README \"Connecting with TLS\"",
        true};
    return false;
  }
  if (redisReaderFeed(reader_, data, static_cast<std::size_t>(n)) != REDIS_OK) {
    failure_ = true;
    reader_failure_ = IoFailure{REDIS_ERR_OOM, 0, "Out of memory", false};
    return false;
  }
  return take(out);
}

redisReply* RespStream::get_reply() {
  redisReply* reply = nullptr;
  if (!take(reply)) return nullptr;
  if (reply != nullptr) return reply;
  char buf[kReadChunk];
  // The first read waits up to command_timeout (plain: SO_RCVTIMEO); the rest
  // of a reply that spans several reads must arrive by the same deadline.
  const Deadline dl = Deadline::after(transport_.command_timeout());
  bool first = true;
  do {
    const long n = transport_.read_some(buf, sizeof buf, first, dl);
    if (n < 0) {
      explain_early_close();
      return nullptr;
    }
    first = false;
    if (!feed(buf, n, reply)) return nullptr;
  } while (reply == nullptr);
  return reply;
}

bool RespStream::poll_reply(std::chrono::milliseconds wait, redisReply*& out) {
  out = nullptr;
  if (!take(out)) return false;
  if (out != nullptr) return true;
  const Deadline dl = wait.count() > 0 ? Deadline::after(wait) : Deadline::passed();
  char buf[kReadChunk];
  for (;;) {
    const int ready = transport_.wait_readable(dl);
    if (ready <= 0) return ready == 0;  // 0: nothing started in time
    const long n = transport_.try_read(buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) continue;  // TLS: a protocol record, no data
    if (!feed(buf, n, out)) return false;
    if (out != nullptr) return true;
    out = get_reply();  // started: the rest within command_timeout
    return out != nullptr;
  }
}

}  // namespace redis_cache::detail
