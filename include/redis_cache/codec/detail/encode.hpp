// redis_cache/codec/detail/encode.hpp — values to msgpack bytes.
//
// One recursive function, encode<Canonical>(writer, value), dispatching on the
// type's kind, into msgpack_writer (which always picks the smallest form, as
// msgpack-cxx's packer does). Choices that make the bytes canonical:
//   * every float is written as float64; every NaN as the one quiet NaN 0x7ff8000000000000;
//     -0.0 is kept (it is a different value from 0.0: 1/x differs), so it encodes distinctly;
//   * std::string, std::string_view and const char* all encode as msgpack str;
//   * with Canonical (keys), elements of unordered containers are sorted by their
//     encoded bytes (maps: by encoded key, then value), so equal values give equal bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/describe/enum_to_string.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <redis_cache/codec/detail/check.hpp>
#include <redis_cache/codec/detail/sort.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/detail/writer.hpp>
#include <redis_cache/detail/scratch_cap.hpp>

namespace redis_cache::codec::detail {

/// Per-thread scratch used to sort unordered containers; one level per nesting depth,
/// kept between calls so steady-state encoding does not allocate (a level that grew
/// beyond scratch_keep_bytes is released when its outermost use ends).
struct sort_level {
  std::string bytes;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  // offset, length
};
/// The calling thread's levels (src/codec_sort.cpp).
std::vector<std::unique_ptr<sort_level>>& sort_levels() noexcept;
/// The calling thread's level for nesting depth `depth` (made on first use).
sort_level& sort_scratch(std::size_t depth);
/// Bytes the calling thread's sort levels hold (their capacities), for tests.
std::size_t sort_scratch_capacity() noexcept;

template <bool Canonical, class T>
void encode(msgpack_writer& w, const T& v);

template <bool Canonical, class T>
void encode_integer(msgpack_writer& w, T v) {
  if constexpr (std::is_signed_v<T>)
    w.int64(static_cast<std::int64_t>(v));
  else
    w.uint64(static_cast<std::uint64_t>(v));
}

/// Writes n elements produced by each(sub_writer) sorted by their bytes.
template <class Range, class EncodeOne>
void encode_sorted(msgpack_writer& w, const Range& r, EncodeOne encode_one) {
  sort_level& lvl = sort_scratch(w.sort_depth);
  const std::size_t base = lvl.bytes.size();  // level is shared only with deeper levels
  const std::size_t span_base = lvl.spans.size();
  // Ours are taken back when this ends, also when an element's encoding throws (a
  // user hook): nothing is left behind for the next key on this thread.
  struct Restore {
    sort_level& lvl;
    std::size_t base, span_base;
    ~Restore() {
      lvl.bytes.resize(base);
      lvl.spans.resize(span_base);
      // Released only when empty again: a re-entrant encode (through a
      // msgpack-native type) shares the level with its caller, whose bytes and
      // spans lie below ours.
      if (redis_cache::detail::scratch_too_large(lvl.bytes) ||
          redis_cache::detail::scratch_too_large(lvl.spans)) [[unlikely]] {
        if (base == 0) std::string().swap(lvl.bytes);
        if (span_base == 0) decltype(lvl.spans)().swap(lvl.spans);
      }
    }
  } restore{lvl, base, span_base};
  msgpack_writer sub{&lvl.bytes, w.sort_depth + 1};
  for (const auto& e : r) {
    const std::size_t start = lvl.bytes.size();
    encode_one(sub, e);
    lvl.spans.emplace_back(static_cast<std::uint32_t>(start - base),
                           static_cast<std::uint32_t>(lvl.bytes.size() - start));
  }
  const char* data = lvl.bytes.data() + base;
  sort_spans(data, lvl.spans.data() + span_base, lvl.spans.size() - span_base);
  for (std::size_t i = span_base; i < lvl.spans.size(); ++i)
    w.raw(lvl.bytes.data() + base + lvl.spans[i].first, lvl.spans[i].second);
}

template <bool Canonical, class T>
void encode(msgpack_writer& w, const T& v) {
  using K = kind;
  constexpr K k = kind_v<T>;
  if constexpr (k == K::hook) {
    encode<Canonical>(w, static_cast<const hook_repr_t<T>&>(codec::adaptor<T>::pack(v)));
  } else if constexpr (k == K::msgpack_native) {
    require_msgpack_bridge<T>();
    if constexpr (msgpack_bridged<T>) msgpack_bridge<T>::encode(w, v);
  } else if constexpr (k == K::boolean) {
    w.boolean(v);
  } else if constexpr (k == K::integer) {
    encode_integer<Canonical>(w, v);
  } else if constexpr (k == K::floating) {
    w.float64(static_cast<double>(v));
  } else if constexpr (k == K::described_enum) {
    if (const char* name = boost::describe::enum_to_string(v, nullptr))
      w.str(name);
    else
      encode_integer<Canonical>(w, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (k == K::plain_enum) {
    encode_integer<Canonical>(w, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (k == K::string) {
    if constexpr (std::is_same_v<std::remove_cv_t<T>, const char*>) {
      if (v == nullptr)
        w.nil();
      else
        w.str(std::string_view(v));
    } else {
      w.str(std::string_view(v.data(), v.size()));
    }
  } else if constexpr (k == K::duration) {
    encode<Canonical>(w, v.count());
  } else if constexpr (k == K::time_point) {
    encode<Canonical>(w, v.time_since_epoch().count());
  } else if constexpr (k == K::optional) {
    if constexpr (is_optional<typename T::value_type>::value) {
      // optional<optional<U>>: [] or [inner], so the two empties stay apart.
      w.array(v.has_value() ? 1 : 0);
      if (v) encode<Canonical>(w, *v);
    } else {
      if (v)
        encode<Canonical>(w, *v);
      else
        w.nil();
    }
  } else if constexpr (k == K::variant) {
    w.array(2);
    w.uint64(v.index());
    std::visit([&](const auto& alt) { encode<Canonical>(w, alt); }, v);
  } else if constexpr (k == K::monostate) {
    w.nil();
  } else if constexpr (k == K::tuple) {
    w.array(std::tuple_size_v<T>);
    std::apply([&](const auto&... e) { (encode<Canonical>(w, e), ...); }, v);
  } else if constexpr (k == K::fixed_array || k == K::sequence ||
                       (k == K::set && !(Canonical && unordered<T>))) {
    w.array(static_cast<std::size_t>(std::distance(std::begin(v), std::end(v))));
    using E = std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(v))>>;
    if constexpr (std::is_same_v<T, std::vector<bool>>) {
      for (bool e : v) w.boolean(e);
    } else {
      for (const E& e : v) encode<Canonical>(w, e);
    }
  } else if constexpr (k == K::set) {  // canonical unordered set
    w.array(v.size());
    encode_sorted(w, v, [](msgpack_writer& s, const auto& e) { encode<true>(s, e); });
  } else if constexpr (k == K::map) {
    w.map(v.size());
    if constexpr (Canonical && unordered<T>) {
      encode_sorted(w, v, [](msgpack_writer& s, const auto& kv) {
        encode<true>(s, kv.first);
        encode<true>(s, kv.second);
      });
    } else {
      for (const auto& kv : v) {
        encode<Canonical>(w, kv.first);
        encode<Canonical>(w, kv.second);
      }
    }
  } else if constexpr (k == K::described) {
    w.map(boost::mp11::mp_size<members_t<T>>::value);
    boost::mp11::mp_for_each<members_t<T>>([&](auto D) {
      w.str(D.name);
      encode<Canonical>(w, v.*D.pointer);
    });
  } else if constexpr (k == K::pfr) {
    w.array(boost::pfr::tuple_size_v<T>);
    boost::pfr::for_each_field(v, [&](const auto& f) { encode<Canonical>(w, f); });
  } else {
    static_assert(dependent_false<T>, "redis_cache: type is not cacheable");
  }
}

}  // namespace redis_cache::codec::detail
