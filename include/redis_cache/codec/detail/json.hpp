// redis_cache/codec/detail/json.hpp — msgpack to compact JSON (for the CLI tool), and
// the schema note of a type as JSON.
//
// msgpack_to_json is type-free: nil/bool/numbers map directly; floats use the shortest
// round-trip form (NaN/Infinity become the strings "NaN", "Infinity", "-Infinity");
// a str that is valid UTF-8 is a JSON string, otherwise (and for bin) an object
// {"base64":"..."}; ext is {"ext":type,"base64":"..."}; map keys: see codec_json_key.
// Output size is linear in the input size.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>
#include <redis_cache/codec/base64.hpp>
#include <redis_cache/codec/detail/fingerprint.hpp>
#include <redis_cache/codec/detail/json_string.hpp>
#include <redis_cache/codec/detail/reader.hpp>
#include <redis_cache/codec/detail/type_name.hpp>

namespace redis_cache::detail {

inline void codec_json_double(std::string& out, double d) {
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

inline void codec_json_value(codec_reader& r, std::string& out);

/// A map key as a JSON string: a UTF-8 str as itself; a number, bool or nil as its JSON
/// text; anything else (containers, bin, ext, non-UTF-8 str) as "msgpack:" + base64 of
/// its msgpack bytes. Never nests escaping, so output stays linear in the input.
inline void codec_json_key(codec_reader& r, std::string& out, std::string& scratch) {
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

inline void codec_json_value(codec_reader& r, std::string& out) {
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

// ---- schema note -------------------------------------------------------------------

template <class T, class Visited>
void codec_schema_json(std::string& out);

template <class Visited, class... Ts>
void codec_schema_json_list(std::string& out, boost::mp11::mp_list<Ts...>*) {
  out.push_back('[');
  bool first = true;
  ((out += first ? "" : ",", first = false, codec_schema_json<Ts, Visited>(out)), ...);
  out.push_back(']');
}

template <class T, class Visited>
void codec_schema_json(std::string& out) {
  using K = codec_kind;
  using U = std::remove_cvref_t<T>;
  constexpr K k = codec_kind_v<U>;
  auto type_field = [&] {
    out += "{\"type\":";
    json_append_string(out, codec_type_name<U>(), false);
  };
  if constexpr (boost::mp11::mp_contains<Visited, U>::value) {
    type_field();
    out += ",\"recursive\":true}";
  } else if constexpr (k == K::hook) {
    type_field();
    out += ",\"repr\":";
    codec_schema_json<codec_hook_repr_t<U>, boost::mp11::mp_push_back<Visited, U>>(out);
    out += "}";
  } else if constexpr (k == K::msgpack_native) {
    type_field();
    out += ",\"encoding\":\"msgpack\"}";
  } else if constexpr (k == K::boolean) {
    out += "\"bool\"";
  } else if constexpr (k == K::integer) {
    out += '"';
    out += codec_int_token<U>();
    out += '"';
  } else if constexpr (k == K::floating) {
    out += "\"f64\"";
  } else if constexpr (k == K::string) {
    out += "\"str\"";
  } else if constexpr (k == K::described_enum) {
    type_field();
    out += ",\"enum\":[";
    bool first = true;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<U>>([&](auto D) {
      if (!first) out += ",";
      first = false;
      json_append_string(out, D.name, false);
    });
    out += "]}";
  } else if constexpr (k == K::plain_enum) {
    type_field();
    out += ",\"enum\":\"";
    out += codec_int_token<std::underlying_type_t<U>>();
    out += "\"}";
  } else if constexpr (k == K::duration || k == K::time_point) {
    using D = std::conditional_t<k == K::duration, U, typename U::duration>;
    out += k == K::duration ? "{\"duration\":" : "{\"time_point\":";
    codec_schema_json<typename D::rep, Visited>(out);
    out += ",\"period\":[" + std::to_string(D::period::num) + "," + std::to_string(D::period::den) +
           "]}";
  } else if constexpr (k == K::optional) {
    out += "{\"optional\":";
    codec_schema_json<typename U::value_type, Visited>(out);
    out += "}";
  } else if constexpr (k == K::variant || k == K::tuple) {
    out += k == K::variant ? "{\"variant\":" : "{\"tuple\":";
    codec_schema_json_list<Visited>(
        out, static_cast<boost::mp11::mp_rename<U, boost::mp11::mp_list>*>(nullptr));
    out += "}";
  } else if constexpr (k == K::monostate) {
    out += "\"nil\"";
  } else if constexpr (k == K::map) {
    out += "{\"map\":[";
    codec_schema_json<typename U::key_type, Visited>(out);
    out += ",";
    codec_schema_json<typename U::mapped_type, Visited>(out);
    out += "]";
    // The CLI's args_from_json sorts these by encoded bytes (older notes lack the marker).
    if constexpr (codec_unordered<U>) out += ",\"unordered\":true";
    out += "}";
  } else if constexpr (k == K::set || k == K::sequence) {
    out += k == K::set ? "{\"set\":" : "{\"seq\":";
    codec_schema_json<typename U::value_type, Visited>(out);
    if constexpr (codec_unordered<U>) out += ",\"unordered\":true";  // as for maps, above
    out += "}";
  } else if constexpr (k == K::fixed_array) {
    out += "{\"array\":";
    if constexpr (std::is_array_v<U>) {
      codec_schema_json<std::remove_extent_t<U>, Visited>(out);
      out += ",\"size\":" + std::to_string(std::extent_v<U>) + "}";
    } else {
      codec_schema_json<typename U::value_type, Visited>(out);
      out += ",\"size\":" + std::to_string(std::tuple_size_v<U>) + "}";
    }
  } else if constexpr (k == K::described) {
    type_field();
    out += ",\"encoding\":\"map\",\"fields\":[";
    bool first = true;
    boost::mp11::mp_for_each<codec_members_t<U>>([&](auto D) {
      if (!first) out += ",";
      first = false;
      json_append_string(out, D.name, false);
    });
    out += "],\"schema\":[";
    first = true;
    boost::mp11::mp_for_each<codec_members_t<U>>([&](auto D) {
      if (!first) out += ",";
      first = false;
      codec_schema_json<codec_descriptor_type<decltype(D)>, boost::mp11::mp_push_back<Visited, U>>(
          out);
    });
    out += "]}";
  } else if constexpr (k == K::pfr) {
    type_field();
    out += ",\"encoding\":\"array\",\"fields\":[";
    for (std::size_t i = 0; i < boost::pfr::tuple_size_v<U>; ++i) {
      if (i) out += ",";
      out += '"';  // (not "\"" + to_string(i): gcc 12 -O3 warns falsely, -Wrestrict)
      out += std::to_string(i);
      out += '"';
    }
    out += "],\"schema\":";
    codec_schema_json_list<boost::mp11::mp_push_back<Visited, U>>(
        out, static_cast<typename codec_children<U>::type*>(nullptr));
    out += "}";
  } else {
    type_field();
    out += "}";
  }
}

}  // namespace redis_cache::detail
