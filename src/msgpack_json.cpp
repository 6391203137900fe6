// msgpack to compact JSON, type-free (codec::msgpack_to_json, for the CLI and for
// recognising keys), and codec::any_value_to_json. Mapping: nil/bool/numbers directly;
// floats as Codec::json writes them (Python's repr), NaN/Infinity as the strings "NaN",
// "Infinity", "-Infinity"; a str that is valid UTF-8 is a JSON string, otherwise (and
// for bin) an object {"base64":"..."}; ext is {"ext":type,"base64":"..."}; map keys:
// see write_json_key.
// Output size is linear in the input size.
#include "codec_tools.hpp"

#include <redis_cache/codec/base64.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/detail/decode_whole.hpp>
#include <redis_cache/codec/detail/json_text.hpp>
#include <redis_cache/codec/detail/reader.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/detail/compress.hpp>
#include <redis_cache/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace redis_cache::codec::detail {

namespace {

/// A float as append_json_double writes it, but NaN and the infinities (not JSON
/// numbers) as strings, so that any JSON parser reads the output.
void append_json_float(std::string& out, double d) {
  if (d != d || d == std::numeric_limits<double>::infinity() ||
      d == -std::numeric_limits<double>::infinity()) {
    out.push_back('"');
    append_json_double(out, d);
    out.push_back('"');
  } else {
    append_json_double(out, d);
  }
}

void write_json_value(msgpack_reader& r, std::string& out);

void write_json_value(msgpack_reader& r, std::string& out);

/// A map key as a JSON string: a UTF-8 str as itself; a number, bool or nil as its JSON
/// text; anything else (containers, bin, ext, non-UTF-8 str) as "msgpack:" + base64 of
/// its msgpack bytes. Never nests escaping, so output stays linear in the input.
void write_json_key(msgpack_reader& r, std::string& out, std::string& scratch) {
  const token t = r.peek();
  if (t == token::str) {
    const unsigned char* start = r.p;
    const std::string_view s = r.read_str();
    if (valid_utf8(s)) {
      append_json_string(out, s, false);
      return;
    }
    r.p = start;
  } else if (t != token::array && t != token::map && t != token::bin && t != token::ext) {
    scratch.clear();
    write_json_value(r, scratch);
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

void write_json_value(msgpack_reader& r, std::string& out) {
  switch (r.peek()) {
    case token::nil:
      r.read_nil();
      out += "null";
      return;
    case token::boolean:
      out += r.read_bool() ? "true" : "false";
      return;
    case token::uint:
    case token::sint: {
      bool neg;
      std::uint64_t u = 0;
      std::int64_t s = 0;
      r.read_integer(neg, u, s);
      if (neg)
        append_json_int(out, s);
      else
        append_json_int(out, u);
      return;
    }
    case token::float32:
    case token::float64:
      append_json_float(out, r.read_float());
      return;
    case token::str: {
      const std::string_view s = r.read_str();
      if (valid_utf8(s)) {
        append_json_string(out, s, false);
        return;
      }
      out += "{\"base64\":\"";
      codec::base64_append(out, s);
      out += "\"}";
      return;
    }
    case token::bin:
      out += "{\"base64\":\"";
      codec::base64_append(out, r.read_str());
      out += "\"}";
      return;
    case token::ext: {
      std::int8_t type;
      const std::string_view data = r.read_ext(type);
      out += "{\"ext\":";
      append_json_int(out, type);
      out += ",\"base64\":\"";
      codec::base64_append(out, data);
      out += "\"}";
      return;
    }
    case token::array: {
      const std::size_t n = r.read_array();
      out.push_back('[');
      for (std::size_t i = 0; i < n; ++i) {
        if (i) out.push_back(',');
        write_json_value(r, out);
      }
      out.push_back(']');
      r.leave();
      return;
    }
    case token::map: {
      const std::size_t n = r.read_map();
      out.push_back('{');
      std::string key;
      for (std::size_t i = 0; i < n; ++i) {
        if (i) out.push_back(',');
        write_json_key(r, out, key);
        out.push_back(':');
        write_json_value(r, out);
      }
      out.push_back('}');
      r.leave();
      return;
    }
  }
}

}  // namespace

}  // namespace redis_cache::codec::detail

namespace redis_cache::codec {

std::string msgpack_to_json(std::string_view bytes) {
  return detail::decode_whole<detail::msgpack_reader>(bytes, [](detail::msgpack_reader& r) {
    std::string out;
    detail::write_json_value(r, out);
    return out;
  });
}

std::string any_value_to_json(std::string_view bytes) {
  if (redis_cache::detail::is_compressed(bytes)) {
    std::string plain;
    redis_cache::detail::decompress_value(bytes, plain);
    if (redis_cache::detail::is_compressed(plain))
      throw DecodeError("redis_cache: value compressed twice");
    return any_value_to_json(plain);
  }
  try {
    return normalize_json(bytes);
  } catch (const DecodeError&) {
    return msgpack_to_json(bytes);
  }
}

}  // namespace redis_cache::codec
