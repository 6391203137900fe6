// redis_cache/codec/detail/json.hpp — the schema note of a type as JSON.
#pragma once

#include <string>
#include <string_view>

#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>
#include <redis_cache/codec/detail/fingerprint.hpp>
#include <redis_cache/codec/detail/json_string.hpp>
#include <redis_cache/codec/detail/type_name.hpp>

namespace redis_cache::detail {

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
    out += "]}";
  } else if constexpr (k == K::set || k == K::sequence) {
    out += k == K::set ? "{\"set\":" : "{\"seq\":";
    codec_schema_json<typename U::value_type, Visited>(out);
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
