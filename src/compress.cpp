// zstd compression of stored values: see include/redis_cache/detail/compress.hpp.
#include <redis_cache/codec/limits.hpp>
#include <redis_cache/detail/compress.hpp>
#include <redis_cache/detail/scratch_cap.hpp>
#include <redis_cache/errors.hpp>

#include <memory>
#include <new>
#include <string>

#include <zstd.h>

namespace redis_cache::detail {

namespace {
struct CctxDeleter {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct DctxDeleter {
  void operator()(ZSTD_DCtx* c) const noexcept { ZSTD_freeDCtx(c); }
};
constexpr int level = 3;  // zstd's default: fast, about the ratio of gzip -6

// The compressing thread's context (created on first use) and output buffer.
// The context's tables grow with the input up to about 1.3 MB at level 3 (and
// zstd shrinks them only after 128 smaller inputs).
thread_local std::unique_ptr<ZSTD_CCtx, CctxDeleter> cctx;
thread_local std::string buf;

/// value := magic + zstd frame of value, when that is smaller and readable.
void compress_into_buf(std::string& value) {
  const std::size_t bound = ZSTD_compressBound(value.size());
  buf.resize(compress_magic.size() + bound);
  buf.replace(0, compress_magic.size(), compress_magic);
  const std::size_t n = ZSTD_compressCCtx(cctx.get(), buf.data() + compress_magic.size(), bound,
                                          value.data(), value.size(), level);
  if (ZSTD_isError(n) || compress_magic.size() + n >= value.size()) return;
  // Readers refuse frames that expand more than max_compression_ratio (a bound
  // on what a poisoned entry can make them allocate): keep such a value plain.
  if (value.size() / max_compression_ratio > n) return;
  buf.resize(compress_magic.size() + n);
  value.swap(buf);
}
}  // namespace

void compress_value(std::string& value) {
  if (!cctx) cctx.reset(ZSTD_createCCtx());
  if (!cctx) return;  // out of memory: store uncompressed
  compress_into_buf(value);
  // buf holds at least value's size (the bound, or value's old storage after
  // the swap): after a large value, neither buf nor the context stays with the
  // thread (scratch_keep_bytes, as for the other thread-local buffers).
  if (scratch_too_large(buf)) [[unlikely]] {
    std::string().swap(buf);
    cctx.reset();
  }
}

std::size_t compress_scratch_bytes() noexcept {
  return buf.capacity() + (cctx ? ZSTD_sizeof_CCtx(cctx.get()) : 0);
}

void decompress_value(std::string_view bytes, std::string& out) {
  if (!is_compressed(bytes)) throw DecodeError("redis_cache: not a compressed value");
  bytes.remove_prefix(compress_magic.size());
  const unsigned long long size = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    throw DecodeError("redis_cache: cannot decode value: bad zstd frame");
  if (size > codec::max_decode_bytes)
    throw DecodeError("redis_cache: cannot decode value: " + std::to_string(size) +
                      " bytes (decompressed) exceed the limit of " +
                      std::to_string(codec::max_decode_bytes));
  // The frame declares its size: allocate it only when it is plausible for
  // this many compressed bytes (writers never exceed the ratio), so a small
  // poisoned entry cannot make us allocate hundreds of megabytes.
  if (size / max_compression_ratio > bytes.size())
    throw DecodeError("redis_cache: cannot decode value: a " + std::to_string(bytes.size()) +
                      "-byte zstd frame declares " + std::to_string(size) + " bytes, more than " +
                      std::to_string(max_compression_ratio) + " times its size");
  thread_local std::unique_ptr<ZSTD_DCtx, DctxDeleter> dctx{ZSTD_createDCtx()};
  if (!dctx) throw std::bad_alloc();
  out.resize(static_cast<std::size_t>(size));
  const std::size_t n =
      ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), bytes.data(), bytes.size());
  if (ZSTD_isError(n) || n != size)
    throw DecodeError(std::string("redis_cache: cannot decode value: bad zstd frame") +
                      (ZSTD_isError(n) ? std::string(" (") + ZSTD_getErrorName(n) + ")" : ""));
}

}  // namespace redis_cache::detail
