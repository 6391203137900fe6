// redis_cache/codec/detail/json_write.hpp — values to JSON text (Codec::json and Codec::python).
//
// encode(json_writer&, v): one writer for both codecs, hand-written (no Boost.JSON) so
// the hot path appends straight into a reused std::string:
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
#include <redis_cache/codec/detail/json_blocker.hpp>
#include <redis_cache/codec/detail/json_text.hpp>
#include <redis_cache/codec/detail/sort.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/detail/type_name.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::codec::detail {

struct json_writer {
  std::string* out;
  bool ascii;      ///< Python's ensure_ascii
  bool canonical;  ///< key mode: unordered sets sorted
};

template <class T>
void encode(json_writer& w, const T& v);

/// Compile-time permutation of a described type's fields sorted by name.
template <class T>
struct sorted_fields {
  static constexpr std::size_t size = boost::mp11::mp_size<members_t<T>>::value;
  static constexpr std::array<std::size_t, size> order = [] {
    std::array<std::string_view, size> names{};
    std::size_t i = 0;
    boost::mp11::mp_for_each<members_t<T>>([&](auto D) { names[i++] = D.name; });
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
void encode_described(json_writer& w, const T& v) {
  using Ms = members_t<T>;
  constexpr std::size_t M = boost::mp11::mp_size<Ms>::value;
  w.out->push_back('{');
  for (std::size_t j = 0; j < M; ++j) {
    if (j) w.out->push_back(',');
    boost::mp11::mp_with_index<M>(sorted_fields<T>::order[j], [&](auto I) {
      constexpr auto D = boost::mp11::mp_at_c<Ms, I>();
      append_json_string(*w.out, D.name, w.ascii);
      w.out->push_back(':');
      encode(w, v.*D.pointer);
    });
  }
  w.out->push_back('}');
}

template <class Key>
void encode_key(json_writer& w, const Key& k) {
  if constexpr (kind_v<Key> == kind::integer) {
    w.out->push_back('"');
    if constexpr (std::is_signed_v<Key>)
      append_json_int(*w.out, static_cast<long long>(k));
    else
      append_json_int(*w.out, static_cast<unsigned long long>(k));
    w.out->push_back('"');
  } else {
    append_json_string(*w.out, std::string_view(k.data(), k.size()), w.ascii);
  }
}

/// True for ordered maps whose iteration order is already Python's sort_keys order.
template <class T, class Key>
constexpr bool naturally_ordered() {
  if constexpr (unordered<T> || !requires { typename T::key_compare; })
    return false;
  else
    return std::is_same_v<typename T::key_compare, std::less<Key>> ||
           std::is_same_v<typename T::key_compare, std::less<>>;
}

template <class T>
void encode_map(json_writer& w, const T& v) {
  using Key = std::remove_cv_t<typename T::key_type>;
  w.out->push_back('{');
  bool first = true;
  auto one = [&](const auto& kv) {
    if (!first) w.out->push_back(',');
    first = false;
    encode_key(w, kv.first);
    w.out->push_back(':');
    encode(w, kv.second);
  };
  constexpr bool ordered = naturally_ordered<T, Key>();
  if constexpr (ordered) {
    for (const auto& kv : v) one(kv);
  } else {
    // Sort by key (numeric for integers, code points = UTF-8 bytes for strings).
    using SortKey = std::conditional_t<
        kind_v<Key> != kind::integer, std::string_view,
        std::conditional_t<std::is_signed_v<Key>, long long, unsigned long long>>;
    std::vector<const typename T::value_type*> items;
    std::vector<SortKey> keys;
    items.reserve(v.size());
    keys.reserve(v.size());
    for (const auto& kv : v) {
      items.push_back(&kv);
      if constexpr (kind_v<Key> == kind::integer)
        keys.push_back(static_cast<SortKey>(kv.first));
      else
        keys.emplace_back(kv.first.data(), kv.first.size());
    }
    for (const std::size_t i : sorted_order(keys)) one(*items[i]);
  }
  w.out->push_back('}');
}

template <class T>
void encode_sorted_set(json_writer& w, const T& v) {
  // Canonical (keys): elements sorted by their JSON text.
  std::string buf;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  json_writer sub{&buf, w.ascii, true};
  for (const auto& e : v) {
    const std::size_t start = buf.size();
    encode(sub, e);
    spans.emplace_back(start, buf.size() - start);
  }
  sort_spans(buf.data(), spans.data(), spans.size());
  w.out->push_back('[');
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i) w.out->push_back(',');
    w.out->append(buf, spans[i].first, spans[i].second);
  }
  w.out->push_back(']');
}

template <class T>
void encode(json_writer& w, const T& v) {
  using K = kind;
  constexpr K k = kind_v<T>;
  std::string& out = *w.out;
  if constexpr (!json_blocker_of<std::remove_cv_t<T>>().empty()) {
    // Unreachable at run time: cache<...>() refuses such types with Codec::json/python.
    throw ConfigError("redis_cache: type " + std::string(type_name<std::remove_cv_t<T>>()) +
                      " cannot be carried by JSON");
  } else if constexpr (k == K::hook) {
    encode(w, static_cast<const hook_repr_t<T>&>(codec::adaptor<T>::pack(v)));
  } else if constexpr (k == K::boolean) {
    out += v ? "true" : "false";
  } else if constexpr (k == K::integer) {
    append_json_int(out, v);
  } else if constexpr (k == K::floating) {
    append_json_double(out, static_cast<double>(v));
  } else if constexpr (k == K::described_enum) {
    if (const char* name = boost::describe::enum_to_string(v, nullptr))
      append_json_string(out, name, w.ascii);
    else
      append_json_int(out, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (k == K::plain_enum) {
    append_json_int(out, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (k == K::string) {
    if constexpr (std::is_same_v<std::remove_cv_t<T>, const char*>) {
      if (v == nullptr)
        out += "null";
      else
        append_json_string(out, v, w.ascii);
    } else {
      append_json_string(out, std::string_view(v.data(), v.size()), w.ascii);
    }
  } else if constexpr (k == K::duration) {
    encode(w, v.count());
  } else if constexpr (k == K::time_point) {
    encode(w, v.time_since_epoch().count());
  } else if constexpr (k == K::optional) {
    if constexpr (is_optional<typename T::value_type>::value) {
      out.push_back('[');
      if (v) encode(w, *v);
      out.push_back(']');
    } else {
      if (v)
        encode(w, *v);
      else
        out += "null";
    }
  } else if constexpr (k == K::variant) {
    out.push_back('[');
    append_json_int(out, v.index());
    out.push_back(',');
    std::visit([&](const auto& alt) { encode(w, alt); }, v);
    out.push_back(']');
  } else if constexpr (k == K::monostate) {
    out += "null";
  } else if constexpr (k == K::tuple) {
    out.push_back('[');
    std::apply(
        [&](const auto&... e) {
          bool first = true;
          ((first ? void() : out.push_back(','), first = false, encode(w, e)), ...);
        },
        v);
    out.push_back(']');
  } else if constexpr (k == K::set && unordered<T>) {
    if (w.canonical) {
      encode_sorted_set(w, v);
    } else {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        encode(w, e);
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
        encode(w, e);
      }
    }
    out.push_back(']');
  } else if constexpr (k == K::map) {
    encode_map(w, v);
  } else if constexpr (k == K::described) {
    encode_described(w, v);
  } else if constexpr (k == K::pfr) {
    out.push_back('[');
    bool first = true;
    boost::pfr::for_each_field(v, [&](const auto& f) {
      if (!first) out.push_back(',');
      first = false;
      encode(w, f);
    });
    out.push_back(']');
  }
}

}  // namespace redis_cache::codec::detail
