// msgpack to compact JSON, type-free (codec::msgpack_to_json, for the CLI and for
// recognising keys), and codec::any_value_to_json. Mapping: nil/bool/numbers directly;
// floats as json_append_double, NaN/Infinity as the strings "NaN", "Infinity",
// "-Infinity"; a str that is valid UTF-8 is a JSON string, otherwise (and for bin) an
// object {"base64":"..."}; ext is {"ext":type,"base64":"..."}; map keys: see json_key.
// Output size is linear in the input size.
#include <redis_cache/codec/base64.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/detail/decode_whole.hpp>
#include <redis_cache/codec/detail/json_string.hpp>
#include <redis_cache/codec/detail/reader.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/detail/compress.hpp>
#include <redis_cache/errors.hpp>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace redis_cache::detail {

namespace {

void codec_json_double(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view s(buf, static_cast<std::size_t>(res.ptr - buf));
  out += s;
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void codec_json_value(codec_reader& r, std::string& out);

void codec_json_value(codec_reader& r, std::string& out);

/// A map key as a JSON string: a UTF-8 str as itself; a number, bool or nil as its JSON
/// text; anything else (containers, bin, ext, non-UTF-8 str) as "msgpack:" + base64 of
/// its msgpack bytes. Never nests escaping, so output stays linear in the input.
void codec_json_key(codec_reader& r, std::string& out, std::string& scratch) {
  const codec_token t = r.peek();
  if (t == codec_token::str) {
    const unsigned char* start = r.p;
    const std::string_view s = r.read_str();
    if (codec_valid_utf8(s)) {
      json_append_string(out, s, false);
      return;
    }
    r.p = start;
  } else if (t != codec_token::array && t != codec_token::map && t != codec_token::bin &&
             t != codec_token::ext) {
    scratch.clear();
    codec_json_value(r, scratch);
    if (scratch.front() == '"') {
      out += scratch;  // "NaN", "Infinity": already a JSON string
    } else {
      out.push_back('"');
      out += scratch;
      out.push_back('"');
    }
    return;
  }
  const unsigned char* start = r.p;
  r.skip();
  out += "\"msgpack:";
  codec::base64_append(out, std::string_view(reinterpret_cast<const char*>(start),
                                             static_cast<std::size_t>(r.p - start)));
  out.push_back('"');
}

void codec_json_value(codec_reader& r, std::string& out) {
  switch (r.peek()) {
    case codec_token::nil:
      r.read_nil();
      out += "null";
      return;
    case codec_token::boolean:
      out += r.read_bool() ? "true" : "false";
      return;
    case codec_token::uint:
    case codec_token::sint: {
      bool neg;
      std::uint64_t u = 0;
      std::int64_t s = 0;
      r.read_integer(neg, u, s);
      out += neg ? std::to_string(s) : std::to_string(u);
      return;
    }
    case codec_token::float32:
    case codec_token::float64:
      codec_json_double(out, r.read_float());
      return;
    case codec_token::str: {
      const std::string_view s = r.read_str();
      if (codec_valid_utf8(s)) {
        json_append_string(out, s, false);
        return;
      }
      out += "{\"base64\":\"";
      codec::base64_append(out, s);
      out += "\"}";
      return;
    }
    case codec_token::bin:
      out += "{\"base64\":\"";
      codec::base64_append(out, r.read_str());
      out += "\"}";
      return;
    case codec_token::ext: {
      std::int8_t type;
      const std::string_view data = r.read_ext(type);
      out += "{\"ext\":" + std::to_string(type) + ",\"base64\":\"";
      codec::base64_append(out, data);
      out += "\"}";
      return;
    }
    case codec_token::array: {
      const std::size_t n = r.read_array();
      out.push_back('[');
      for (std::size_t i = 0; i < n; ++i) {
        if (i) out.push_back(',');
        codec_json_value(r, out);
      }
      out.push_back(']');
      r.leave();
      return;
    }
    case codec_token::map: {
      const std::size_t n = r.read_map();
      out.push_back('{');
      std::string key;
      for (std::size_t i = 0; i < n; ++i) {
        if (i) out.push_back(',');
        codec_json_key(r, out, key);
        out.push_back(':');
        codec_json_value(r, out);
      }
      out.push_back('}');
      r.leave();
      return;
    }
  }
}

}  // namespace

}  // namespace redis_cache::detail

namespace redis_cache::codec {

std::string msgpack_to_json(std::string_view bytes) {
  return detail::decode_whole<detail::codec_reader>(bytes, [](detail::codec_reader& r) {
    std::string out;
    detail::codec_json_value(r, out);
    return out;
  });
}

std::string any_value_to_json(std::string_view bytes) {
  if (detail::is_compressed(bytes)) {
    std::string plain;
    detail::decompress_value(bytes, plain);
    if (detail::is_compressed(plain)) throw DecodeError("redis_cache: value compressed twice");
    return any_value_to_json(plain);
  }
  try {
    return normalize_json(bytes);
  } catch (const DecodeError&) {
    return msgpack_to_json(bytes);
  }
}

}  // namespace redis_cache::codec
