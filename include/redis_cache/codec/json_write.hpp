// redis_cache/codec/json_write.hpp — values to JSON text (Codec::json and Codec::python).
//
// One writer for both codecs, a hand-written one (no Boost.JSON) so the hot path
// appends straight into a reused std::string:
//   * object keys are always sorted (code-point order, as Python's sort_keys=True);
//   * floats are written as Python's repr (shortest round trip; exponent form when
//     the decimal exponent is < -4 or >= 16, "1e-07", "1e+16"; integral floats keep
//     ".0"); NaN / Infinity / -Infinity as Python's json module writes them;
//   * python style (ensure_ascii=True): every character outside ' '..'~' is \uXXXX
//     (lowercase hex, astral characters as a surrogate pair), like json.dumps;
//     plain style writes UTF-8 as is and escapes only '"', '\\' and controls;
//   * strings must be valid UTF-8 (JSON carries text only): anything else throws
//     ConfigError (binary data needs Codec::msgpack).
//
// Type mapping (mirrors codec.hpp's msgpack mapping):
//   bool → true/false; integers → decimal; float/double → Python repr;
//   described enum → its name (an unnamed value: the integer); other enums → integer;
//   strings → string; durations / time points → count; optional → null or the value
//   (optional<optional<T>>: [] or [value]); variant → [index, value]; monostate → null;
//   tuple, pair, vector, deque, list, set, array → array (unordered sets sorted in keys);
//   map with string or integer keys → object (integer keys as decimal strings, in
//   numeric order, like Python's json); described class → object of its fields;
//   PFR aggregate → array of its fields; codec::adaptor<T> → its representation.
// Types JSON cannot carry (maps with other keys, types with only a msgpack-cxx
// adaptor) are reported by json_encodable_v / json_blocker (see json.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/describe/enum_to_string.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <redis_cache/codec/detail/json_string.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/detail/type_name.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

// ---------------------------------------------------------------- encodability

template <class T>
constexpr std::string_view json_blocker_of();

template <class... Ts>
constexpr std::string_view json_first_blocker() {
  std::string_view r{};
  ((r.empty() ? (void)(r = json_blocker_of<std::remove_cv_t<Ts>>()) : void()), ...);
  return r;
}

template <class T, std::size_t... I>
constexpr std::string_view json_pfr_blocker(std::index_sequence<I...>) {
  return json_first_blocker<boost::pfr::tuple_element_t<I, T>...>();
}

template <class T>
constexpr std::string_view json_described_blocker() {
  std::string_view r{};
  boost::mp11::mp_for_each<codec_members_t<T>>([&](auto D) {
    using M =
        std::remove_cv_t<typename codec_member_type<std::remove_cv_t<decltype(D.pointer)>>::type>;
    if (r.empty()) r = json_blocker_of<M>();
  });
  return r;
}

/// Type name of the first inner type of T that JSON cannot carry; "" when T can be.
template <class T>
constexpr std::string_view json_blocker_of() {
  using K = codec_kind;
  constexpr K k = codec_kind_v<T>;
  if constexpr (k == K::hook) {
    return json_blocker_of<codec_hook_repr_t<T>>();
  } else if constexpr (k == K::boolean || k == K::integer || k == K::floating ||
                       k == K::described_enum || k == K::plain_enum || k == K::string ||
                       k == K::duration || k == K::time_point || k == K::monostate) {
    return {};
  } else if constexpr (k == K::optional) {
    return json_blocker_of<typename T::value_type>();
  } else if constexpr (k == K::variant || k == K::tuple) {
    return []<class... Ts>(boost::mp11::mp_list<Ts...>*) {
      return json_first_blocker<Ts...>();
    }(static_cast<boost::mp11::mp_rename<T, boost::mp11::mp_list>*>(nullptr));
  } else if constexpr (k == K::sequence || k == K::set || k == K::fixed_array) {
    return json_blocker_of<std::remove_cv_t<
        std::remove_reference_t<decltype(*std::begin(std::declval<const T&>()))>>>();
  } else if constexpr (k == K::map) {
    using Key = std::remove_cv_t<typename T::key_type>;
    constexpr K kk = codec_kind_v<Key>;
    if constexpr (kk != K::string && kk != K::integer)
      return codec_type_name<T>();  // JSON object keys are strings (or integers, as Python)
    else
      return json_blocker_of<std::remove_cv_t<typename T::mapped_type>>();
  } else if constexpr (k == K::described) {
    return json_described_blocker<T>();
  } else if constexpr (k == K::pfr) {
    return json_pfr_blocker<T>(std::make_index_sequence<boost::pfr::tuple_size_v<T>>{});
  } else {
    return codec_type_name<T>();  // msgpack_native, unsupported
  }
}

// ---------------------------------------------------------------- values

struct json_writer {
  std::string* out;
  bool ascii;      ///< Python's ensure_ascii
  bool canonical;  ///< key mode: unordered sets sorted
};

template <class T>
void json_encode(json_writer& w, const T& v);

/// Compile-time permutation of a described type's fields sorted by name.
template <class T>
struct json_sorted_fields {
  static constexpr std::size_t size = boost::mp11::mp_size<codec_members_t<T>>::value;
  static constexpr std::array<std::size_t, size> order = [] {
    std::array<std::string_view, size> names{};
    std::size_t i = 0;
    boost::mp11::mp_for_each<codec_members_t<T>>([&](auto D) { names[i++] = D.name; });
    std::array<std::size_t, size> idx{};
    for (std::size_t j = 0; j < size; ++j) {  // insertion sort: a handful of fields
      std::size_t at = j;
      for (; at > 0 && names[j] < names[idx[at - 1]]; --at) idx[at] = idx[at - 1];
      idx[at] = j;
    }
    return idx;
  }();
};

template <class T>
void json_encode_described(json_writer& w, const T& v) {
  using Ms = codec_members_t<T>;
  constexpr std::size_t M = boost::mp11::mp_size<Ms>::value;
  w.out->push_back('{');
  for (std::size_t j = 0; j < M; ++j) {
    if (j) w.out->push_back(',');
    boost::mp11::mp_with_index<M>(json_sorted_fields<T>::order[j], [&](auto I) {
      constexpr auto D = boost::mp11::mp_at_c<Ms, I>();
      json_append_string(*w.out, D.name, w.ascii);
      w.out->push_back(':');
      json_encode(w, v.*D.pointer);
    });
  }
  w.out->push_back('}');
}

template <class Key>
void json_encode_key(json_writer& w, const Key& k) {
  if constexpr (codec_kind_v<Key> == codec_kind::integer) {
    w.out->push_back('"');
    if constexpr (std::is_signed_v<Key>)
      json_append_int(*w.out, static_cast<long long>(k));
    else
      json_append_int(*w.out, static_cast<unsigned long long>(k));
    w.out->push_back('"');
  } else {
    json_append_string(*w.out, std::string_view(k.data(), k.size()), w.ascii);
  }
}

/// True for ordered maps whose iteration order is already Python's sort_keys order.
template <class T, class Key>
constexpr bool json_naturally_ordered() {
  if constexpr (codec_unordered<T> || !requires { typename T::key_compare; })
    return false;
  else
    return std::is_same_v<typename T::key_compare, std::less<Key>> ||
           std::is_same_v<typename T::key_compare, std::less<>>;
}

template <class T>
void json_encode_map(json_writer& w, const T& v) {
  using Key = std::remove_cv_t<typename T::key_type>;
  w.out->push_back('{');
  bool first = true;
  auto one = [&](const auto& kv) {
    if (!first) w.out->push_back(',');
    first = false;
    json_encode_key(w, kv.first);
    w.out->push_back(':');
    json_encode(w, kv.second);
  };
  constexpr bool ordered = json_naturally_ordered<T, Key>();
  if constexpr (ordered) {
    for (const auto& kv : v) one(kv);
  } else {
    // Sort by key (numeric for integers, code points = UTF-8 bytes for strings).
    std::vector<const typename T::value_type*> items;
    items.reserve(v.size());
    for (const auto& kv : v) items.push_back(&kv);
    std::sort(items.begin(), items.end(), [](const auto* a, const auto* b) {
      if constexpr (codec_kind_v<Key> == codec_kind::integer)
        return a->first < b->first;
      else
        return std::string_view(a->first.data(), a->first.size()) <
               std::string_view(b->first.data(), b->first.size());
    });
    for (const auto* kv : items) one(*kv);
  }
  w.out->push_back('}');
}

template <class T>
void json_encode_sorted_set(json_writer& w, const T& v) {
  // Canonical (keys): elements sorted by their JSON text.
  std::string buf;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  json_writer sub{&buf, w.ascii, true};
  for (const auto& e : v) {
    const std::size_t start = buf.size();
    json_encode(sub, e);
    spans.emplace_back(start, buf.size() - start);
  }
  std::sort(spans.begin(), spans.end(), [&](const auto& a, const auto& b) {
    return std::string_view(buf).substr(a.first, a.second) <
           std::string_view(buf).substr(b.first, b.second);
  });
  w.out->push_back('[');
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i) w.out->push_back(',');
    w.out->append(buf, spans[i].first, spans[i].second);
  }
  w.out->push_back(']');
}

template <class T>
void json_encode(json_writer& w, const T& v) {
  using K = codec_kind;
  constexpr K k = codec_kind_v<T>;
  std::string& out = *w.out;
  if constexpr (!json_blocker_of<std::remove_cv_t<T>>().empty()) {
    // Unreachable at run time: cache<...>() refuses such types with Codec::json/python.
    throw ConfigError("redis_cache: type " + std::string(codec_type_name<std::remove_cv_t<T>>()) +
                      " cannot be carried by JSON");
  } else if constexpr (k == K::hook) {
    json_encode(w, static_cast<const codec_hook_repr_t<T>&>(codec::adaptor<T>::pack(v)));
  } else if constexpr (k == K::boolean) {
    out += v ? "true" : "false";
  } else if constexpr (k == K::integer) {
    json_append_int(out, v);
  } else if constexpr (k == K::floating) {
    json_append_double(out, static_cast<double>(v));
  } else if constexpr (k == K::described_enum) {
    if (const char* name = boost::describe::enum_to_string(v, nullptr))
      json_append_string(out, name, w.ascii);
    else
      json_append_int(out, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (k == K::plain_enum) {
    json_append_int(out, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (k == K::string) {
    if constexpr (std::is_same_v<std::remove_cv_t<T>, const char*>) {
      if (v == nullptr)
        out += "null";
      else
        json_append_string(out, v, w.ascii);
    } else {
      json_append_string(out, std::string_view(v.data(), v.size()), w.ascii);
    }
  } else if constexpr (k == K::duration) {
    json_encode(w, v.count());
  } else if constexpr (k == K::time_point) {
    json_encode(w, v.time_since_epoch().count());
  } else if constexpr (k == K::optional) {
    if constexpr (codec_is_optional<typename T::value_type>::value) {
      out.push_back('[');
      if (v) json_encode(w, *v);
      out.push_back(']');
    } else {
      if (v)
        json_encode(w, *v);
      else
        out += "null";
    }
  } else if constexpr (k == K::variant) {
    out.push_back('[');
    json_append_int(out, v.index());
    out.push_back(',');
    std::visit([&](const auto& alt) { json_encode(w, alt); }, v);
    out.push_back(']');
  } else if constexpr (k == K::monostate) {
    out += "null";
  } else if constexpr (k == K::tuple) {
    out.push_back('[');
    std::apply(
        [&](const auto&... e) {
          bool first = true;
          ((first ? void() : out.push_back(','), first = false, json_encode(w, e)), ...);
        },
        v);
    out.push_back(']');
  } else if constexpr (k == K::set && codec_unordered<T>) {
    if (w.canonical) {
      json_encode_sorted_set(w, v);
    } else {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        json_encode(w, e);
      }
      out.push_back(']');
    }
  } else if constexpr (k == K::fixed_array || k == K::sequence || k == K::set) {
    out.push_back('[');
    bool first = true;
    if constexpr (std::is_same_v<T, std::vector<bool>>) {
      for (bool e : v) {
        if (!first) out.push_back(',');
        first = false;
        out += e ? "true" : "false";
      }
    } else {
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        json_encode(w, e);
      }
    }
    out.push_back(']');
  } else if constexpr (k == K::map) {
    json_encode_map(w, v);
  } else if constexpr (k == K::described) {
    json_encode_described(w, v);
  } else if constexpr (k == K::pfr) {
    out.push_back('[');
    bool first = true;
    boost::pfr::for_each_field(v, [&](const auto& f) {
      if (!first) out.push_back(',');
      first = false;
      json_encode(w, f);
    });
    out.push_back(']');
  }
}

}  // namespace redis_cache::detail
