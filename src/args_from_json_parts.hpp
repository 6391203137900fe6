// Pieces of args_from_json (src/args_from_json.cpp): the JSON tree it reads (objects keep
// the order written; each value remembers its text for messages) and its output, msgpack
// bytes with an order key beside them whose byte order is the value order of the C++
// types (integers and floats numerically, strings by bytes, false < true, nil first,
// containers lexicographically).
#pragma once

#include <redis_cache/codec/detail/decode_whole.hpp>
#include <redis_cache/codec/detail/encode.hpp>
#include <redis_cache/codec/detail/json_read.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace redis_cache::detail::args_json {

using codec::detail::decode_whole;
using codec::detail::json_reader;
using codec::detail::msgpack_writer;

// ---- a JSON tree ------------------------------------------------------------------------

struct Json {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  bool b = false;
  bool is_int = false;            // a number without '.', 'e', 'E'
  std::string text;               // a number's token, a string's content
  std::vector<Json> items;        // array elements, object values
  std::vector<std::string> keys;  // object keys, in the order written
  std::string_view src;           // the value as written, for messages

  bool is(Kind k) const { return kind == k; }
  const Json* get(std::string_view key) const {
    if (kind != Kind::object) return nullptr;
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }
  std::string_view str() const { return kind == Kind::string ? std::string_view(text) : ""; }
};

inline Json read_json(json_reader& r) {
  Json v;
  const char c = r.peek();
  const char* start = r.p;
  if (c == '"') {
    v.kind = Json::Kind::string;
    r.read_string(v.text);
  } else if (c == '[' || c == '{') {
    ++r.p;
    r.enter();
    const bool object = c == '{';
    v.kind = object ? Json::Kind::object : Json::Kind::array;
    bool first = true;
    while (r.more(object ? '}' : ']', first)) {
      if (object) {
        std::string k;
        r.read_string(k);
        r.expect(':');
        v.keys.push_back(std::move(k));
      }
      v.items.push_back(read_json(r));
    }
    r.leave();
  } else if (c == 't' || c == 'f') {
    v.kind = Json::Kind::boolean;
    v.b = r.read_bool();
  } else if (c == 'n') {
    if (!r.try_null()) r.fail("expected null");
  } else {
    v.kind = Json::Kind::number;
    v.text = std::string(r.number(v.is_int));
  }
  v.src = std::string_view(start, static_cast<std::size_t>(r.p - start));
  return v;
}

inline Json parse(std::string_view text) {
  return decode_whole<json_reader>(text, [](json_reader& r) { return read_json(r); });
}

/// A value as written, cut to a readable length.
inline std::string echo(const Json& v) {
  constexpr std::size_t keep = 60;
  std::string_view s = v.src;
  if (s.empty()) s = v.text;
  if (s.size() <= keep) return std::string(s);
  return std::string(s.substr(0, keep)) + "... (" + std::to_string(s.size()) + " bytes)";
}

// ---- output: msgpack bytes and the order key ----------------------------------------------

// Order key tags; 0x01 ends a container, below every tag, so a prefix sorts first.
constexpr char kEnd = 0x01, kNil = 0x10, kFalse = 0x11, kTrue = 0x12, kNeg = 0x20, kNonNeg = 0x21,
               kFloat = 0x30, kStr = 0x40, kList = 0x50, kRaw = 0x60;

struct Out {
  std::string bytes;
  std::string ord;

  msgpack_writer w() { return msgpack_writer{&bytes}; }
  void ord_u64(char tag, std::uint64_t u) {
    ord.push_back(tag);
    for (int i = 7; i >= 0; --i) ord.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
  }
  void ord_bytes(char tag, std::string_view s) {
    ord.push_back(tag);
    for (char c : s) {
      ord.push_back(c);
      if (c == 0) ord.push_back(static_cast<char>(0xff));
    }
    ord.push_back(0);
    ord.push_back(kEnd);
  }

  void nil() {
    w().nil();
    ord.push_back(kNil);
  }
  void boolean(bool b) {
    w().boolean(b);
    ord.push_back(b ? kTrue : kFalse);
  }
  void int64(std::int64_t v) {
    if (v >= 0) return uint64(static_cast<std::uint64_t>(v));
    w().int64(v);
    ord_u64(kNeg, static_cast<std::uint64_t>(v));  // two's complement keeps negatives in order
  }
  void uint64(std::uint64_t v) {
    w().uint64(v);
    ord_u64(kNonNeg, v);
  }
  void float64(double d) {
    w().float64(d);
    std::uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    bits = (bits >> 63) ? ~bits : bits | (1ull << 63);
    ord_u64(kFloat, bits);
  }
  void str(std::string_view s) {
    w().str(s);
    ord_bytes(kStr, s);
  }
  void raw(std::string_view msgpack) {
    bytes.append(msgpack);
    ord_bytes(kRaw, msgpack);
  }
  void array(std::size_t n) {
    w().array(n);
    ord.push_back(kList);
  }
  void map(std::size_t n) {
    w().map(n);
    ord.push_back(kList);
  }
  void end() { ord.push_back(kEnd); }
  void append(const Out& o) {
    bytes += o.bytes;
    ord += o.ord;
  }
};

}  // namespace redis_cache::detail::args_json
