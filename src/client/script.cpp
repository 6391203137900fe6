// Lua scripts: local SHA1, EVALSHA, and EVAL on NOSCRIPT (see script.hpp).
#include "client/script.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) {
  return (x << n) | (x >> (32 - n));
}

/// SHA-1 (FIPS 180-4), enough for script digests; no dependency needed.
class Sha1 {
 public:
  void update(std::string_view data) {
    for (const char c : data) {
      block_[fill_++] = static_cast<std::uint8_t>(c);
      if (fill_ == 64) {
        compress();
        fill_ = 0;
      }
    }
    bits_ += static_cast<std::uint64_t>(data.size()) * 8;
  }

  std::string hex() {
    const std::uint64_t bits = bits_;
    block_[fill_++] = 0x80;
    if (fill_ > 56) {
      while (fill_ < 64) block_[fill_++] = 0;
      compress();
      fill_ = 0;
    }
    while (fill_ < 56) block_[fill_++] = 0;
    for (int i = 7; i >= 0; --i) block_[fill_++] = static_cast<std::uint8_t>(bits >> (i * 8));
    compress();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(40);
    for (const std::uint32_t word : h_) {
      for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(word >> shift) & 0xf];
    }
    return out;
  }

 private:
  void compress() {
    std::array<std::uint32_t, 80> w{};
    for (int i = 0; i < 16; ++i) {
      w[i] = (std::uint32_t{block_[i * 4]} << 24) | (std::uint32_t{block_[i * 4 + 1]} << 16) |
             (std::uint32_t{block_[i * 4 + 2]} << 8) | std::uint32_t{block_[i * 4 + 3]};
    }
    for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
    for (int i = 0; i < 80; ++i) {
      std::uint32_t f = 0, k = 0;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
  }

  std::array<std::uint32_t, 5> h_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  std::array<std::uint8_t, 64> block_{};
  std::size_t fill_ = 0;
  std::uint64_t bits_ = 0;
};

/// "EVALSHA sha numkeys keys... args..." without a heap allocation for the
/// argument list when it is short (the cache's store script has 1 key, 3 args).
Reply run(Connection& conn, std::string_view verb, std::string_view script_or_sha,
          std::span<const std::string_view> keys, std::span<const std::string_view> args) {
  std::array<char, 24> numkeys_buf{};
  const auto [end, ec] =
      std::to_chars(numkeys_buf.data(), numkeys_buf.data() + numkeys_buf.size(), keys.size());
  (void)ec;
  const std::string_view numkeys(numkeys_buf.data(),
                                 static_cast<std::size_t>(end - numkeys_buf.data()));
  const std::size_t n = 3 + keys.size() + args.size();
  constexpr std::size_t kStack = 16;
  std::array<std::string_view, kStack> stack;
  std::unique_ptr<std::string_view[]> heap;
  std::string_view* argv = stack.data();
  if (n > kStack) {
    heap = std::make_unique<std::string_view[]>(n);
    argv = heap.get();
  }
  std::size_t i = 0;
  argv[i++] = verb;
  argv[i++] = script_or_sha;
  argv[i++] = numkeys;
  for (const auto k : keys) argv[i++] = k;
  for (const auto a : args) argv[i++] = a;
  return conn.command(Argv(argv, n));
}

}  // namespace

std::string sha1_hex(std::string_view data) {
  Sha1 sha;
  sha.update(data);
  return sha.hex();
}

Script::Script(std::string body) : body_(std::move(body)), sha1_(sha1_hex(body_)) {}

Reply eval(Connection& conn, const Script& script, std::span<const std::string_view> keys,
           std::span<const std::string_view> args) {
  try {
    return run(conn, "EVALSHA", script.sha1(), keys, args);
  } catch (const NoScriptError&) {
    // Not loaded on this server (first use, restart, SCRIPT FLUSH, failover):
    // EVAL runs it and caches it, so the next EVALSHA hits.
    return run(conn, "EVAL", script.body(), keys, args);
  }
}

}  // namespace redis_cache::detail
