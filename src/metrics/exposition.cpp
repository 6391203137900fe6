// Text exposition 0.0.4 writing (exposition.hpp).
#include "metrics/exposition.hpp"

#include <array>
#include <charconv>
#include <cstddef>

namespace redis_cache::detail::exposition {

namespace {

/// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one
/// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // bounds of the second byte
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size() || b(1) < lo || b(1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(k) < 0x80 || b(k) > 0xbf) return 0;
  return n;
}

}  // namespace

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (const char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void add_label(std::string& labels, std::string_view name, std::string_view value) {
  if (!labels.empty()) labels += ',';
  labels += name;
  labels += "=\"";
  for (std::size_t i = 0; i < value.size();) {
    const char c = value[i];
    if (c == '\\') {
      labels += "\\\\";
    } else if (c == '"') {
      labels += "\\\"";
    } else if (c == '\n') {
      labels += "\\n";
    } else if (const std::size_t n = utf8_length(value, i); n == 0) {
      labels += "\xef\xbf\xbd";  // U+FFFD for a byte that is not UTF-8
    } else {
      labels.append(value.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
  labels += '"';
}

namespace {

void sample_prefix(std::string& out, std::string_view name, std::string_view labels) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
}

template <class T>
void append_number(std::string& out, T value) {
  std::array<char, 32> buf;
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  out.append(buf.data(), r.ptr);
}

}  // namespace

void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
  sample_prefix(out, name, labels);
  append_number(out, value);
  out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  sample_prefix(out, name, labels);
  append_number(out, value);
  out += '\n';
}

}  // namespace redis_cache::detail::exposition
