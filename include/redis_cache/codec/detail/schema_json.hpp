// redis_cache/codec/detail/schema_json.hpp — the schema note of a type as JSON.
#pragma once

#include <string>
#include <string_view>

#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>
#include <redis_cache/codec/detail/fingerprint.hpp>
#include <redis_cache/codec/detail/json_text.hpp>
#include <redis_cache/codec/detail/type_name.hpp>

namespace redis_cache::codec::detail {

// ---- schema note -------------------------------------------------------------------

template <class T, class Visited>
void schema_json(std::string& out);

template <class Visited, class... Ts>
void schema_json_list(std::string& out, boost::mp11::mp_list<Ts...>*) {
  out.push_back('[');
  bool first = true;
  ((out += first ? "" : ",", first = false, schema_json<Ts, Visited>(out)), ...);
  out.push_back(']');
}

template <class T, class Visited>
void schema_json(std::string& out) {
  using K = kind;
  using U = std::remove_cvref_t<T>;
  constexpr K k = kind_v<U>;
  auto type_field = [&] {
    out += "{\"type\":";
    append_json_string(out, type_name<U>(), false);
  };
  if constexpr (boost::mp11::mp_contains<Visited, U>::value) {
    type_field();
    out += ",\"recursive\":true}";
  } else if constexpr (k == K::hook) {
    type_field();
    out += ",\"repr\":";
    schema_json<hook_repr_t<U>, boost::mp11::mp_push_back<Visited, U>>(out);
    out += "}";
  } else if constexpr (k == K::msgpack_native) {
    type_field();
    out += ",\"encoding\":\"msgpack\"}";
  } else if constexpr (k == K::boolean) {
    out += "\"bool\"";
  } else if constexpr (k == K::integer) {
    out += '"';
    out += int_token<U>();
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
      append_json_string(out, D.name, false);
    });
    out += "]}";
  } else if constexpr (k == K::plain_enum) {
    type_field();
    out += ",\"enum\":\"";
    out += int_token<std::underlying_type_t<U>>();
    out += "\"}";
  } else if constexpr (k == K::duration || k == K::time_point) {
    using D = U;  // a duration or a time_point: both have the duration's rep and period
    out += k == K::duration ? "{\"duration\":" : "{\"time_point\":";
    schema_json<typename D::rep, Visited>(out);
    out += ",\"period\":[" + std::to_string(D::period::num) + "," + std::to_string(D::period::den) +
           "]}";
  } else if constexpr (k == K::optional) {
    out += "{\"optional\":";
    schema_json<typename U::value_type, Visited>(out);
    out += "}";
  } else if constexpr (k == K::variant || k == K::tuple) {
    out += k == K::variant ? "{\"variant\":" : "{\"tuple\":";
    schema_json_list<Visited>(
        out, static_cast<boost::mp11::mp_rename<U, boost::mp11::mp_list>*>(nullptr));
    out += "}";
  } else if constexpr (k == K::monostate) {
    out += "\"nil\"";
  } else if constexpr (k == K::map) {
    out += "{\"map\":[";
    schema_json<typename U::key_type, Visited>(out);
    out += ",";
    schema_json<typename U::mapped_type, Visited>(out);
    out += "]";
    // The CLI's args_from_json sorts these by encoded bytes (older notes lack the marker).
    if constexpr (unordered<U>) out += ",\"unordered\":true";
    out += "}";
  } else if constexpr (k == K::set || k == K::sequence) {
    out += k == K::set ? "{\"set\":" : "{\"seq\":";
    schema_json<typename U::value_type, Visited>(out);
    if constexpr (unordered<U>) out += ",\"unordered\":true";  // as for maps, above
    out += "}";
  } else if constexpr (k == K::fixed_array) {
    out += "{\"array\":";
    if constexpr (std::is_array_v<U>) {
      schema_json<std::remove_extent_t<U>, Visited>(out);
      out += ",\"size\":" + std::to_string(std::extent_v<U>) + "}";
    } else {
      schema_json<typename U::value_type, Visited>(out);
      out += ",\"size\":" + std::to_string(std::tuple_size_v<U>) + "}";
    }
  } else if constexpr (k == K::described) {
    type_field();
    out += ",\"encoding\":\"map\",\"fields\":[";
    bool first = true;
    boost::mp11::mp_for_each<members_t<U>>([&](auto D) {
      if (!first) out += ",";
      first = false;
      append_json_string(out, D.name, false);
    });
    out += "],\"schema\":[";
    first = true;
    boost::mp11::mp_for_each<members_t<U>>([&](auto D) {
      if (!first) out += ",";
      first = false;
      schema_json<descriptor_type<decltype(D)>, boost::mp11::mp_push_back<Visited, U>>(out);
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
    schema_json_list<boost::mp11::mp_push_back<Visited, U>>(
        out, static_cast<typename children<U>::type*>(nullptr));
    out += "}";
  } else {
    type_field();
    out += "}";
  }
}

}  // namespace redis_cache::codec::detail
