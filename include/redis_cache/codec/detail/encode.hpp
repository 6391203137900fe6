// redis_cache/codec/detail/encode.hpp — values to msgpack bytes.
//
// One recursive function, codec_encode<Canonical>(writer, value), dispatching on the
// type's codec_kind, into codec_writer (which always picks the smallest form, as
// msgpack-cxx's packer does). Choices that make the bytes canonical:
//   * every float is written as float64; every NaN as the one quiet NaN 0x7ff8000000000000;
//     -0.0 is kept (it is a different value from 0.0: 1/x differs), so it encodes distinctly;
//   * std::string, std::string_view and const char* all encode as msgpack str;
//   * with Canonical (keys), elements of unordered containers are sorted by their
//     encoded bytes (maps: by encoded key, then value), so equal values give equal bytes.
#pragma once

#include <algorithm>
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
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/detail/scratch_cap.hpp>

namespace redis_cache::detail {

/// Per-thread scratch used to sort unordered containers; one level per nesting depth,
/// kept between calls so steady-state encoding does not allocate (a level that grew
/// beyond scratch_keep_bytes is released when its outermost use ends).
struct codec_sort_level {
  std::string bytes;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  // offset, length
};
inline std::vector<std::unique_ptr<codec_sort_level>>& codec_sort_levels() noexcept {
  thread_local std::vector<std::unique_ptr<codec_sort_level>> levels;
  return levels;
}
inline codec_sort_level& codec_sort_scratch(std::size_t depth) {
  auto& levels = codec_sort_levels();
  while (levels.size() <= depth) levels.push_back(std::make_unique<codec_sort_level>());
  return *levels[depth];
}
/// Bytes the calling thread's sort levels hold (their capacities), for tests.
inline std::size_t codec_sort_scratch_capacity() noexcept {
  std::size_t n = 0;
  for (const auto& l : codec_sort_levels())
    n += l->bytes.capacity() + l->spans.capacity() * sizeof(l->spans[0]);
  return n;
}

/// Appends msgpack to a std::string, always in the smallest form (what msgpack-cxx's
/// packer writes, byte for byte: integers >= 0 as positive fixint or uint 8..64,
/// negative ones as negative fixint or int 8..64; str, array and map headers likewise).
struct codec_writer {
  std::string* out;
  std::size_t sort_depth = 0;

  void raw(const char* p, std::size_t n) { out->append(p, n); }
  void nil() { out->push_back(static_cast<char>(0xc0)); }
  void boolean(bool b) { out->push_back(static_cast<char>(b ? 0xc3 : 0xc2)); }
  void int64(std::int64_t v) {
    if (v >= 0) return uint64(static_cast<std::uint64_t>(v));
    if (v >= -32) return out->push_back(static_cast<char>(v));  // negative fixint
    if (v >= INT8_MIN) return tagged(0xd0, static_cast<std::uint64_t>(v), 1);
    if (v >= INT16_MIN) return tagged(0xd1, static_cast<std::uint64_t>(v), 2);
    if (v >= INT32_MIN) return tagged(0xd2, static_cast<std::uint64_t>(v), 4);
    tagged(0xd3, static_cast<std::uint64_t>(v), 8);
  }
  void uint64(std::uint64_t v) {
    if (v < 0x80) return out->push_back(static_cast<char>(v));  // positive fixint
    if (v <= UINT8_MAX) return tagged(0xcc, v, 1);
    if (v <= UINT16_MAX) return tagged(0xcd, v, 2);
    if (v <= UINT32_MAX) return tagged(0xce, v, 4);
    tagged(0xcf, v, 8);
  }
  void float64(double v) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    if (v != v) bits = 0x7ff8000000000000ull;  // any NaN: the one quiet NaN
    tagged(0xcb, bits, 8);
  }
  void str(std::string_view s) {
    const auto n = static_cast<std::uint32_t>(s.size());  // lengths are 32-bit in msgpack
    if (n < 32)
      out->push_back(static_cast<char>(0xa0 | n));
    else if (n <= UINT8_MAX)
      tagged(0xd9, n, 1);
    else if (n <= UINT16_MAX)
      tagged(0xda, n, 2);
    else
      tagged(0xdb, n, 4);
    raw(s.data(), s.size());
  }
  void array(std::size_t n) { container(0x90, 0xdc, n); }
  void map(std::size_t n) { container(0x80, 0xde, n); }

 private:
  /// tag, then the low `bytes` bytes of v, big-endian.
  void tagged(unsigned tag, std::uint64_t v, int bytes) {
    char b[9];
    b[0] = static_cast<char>(tag);
    for (int i = 0; i < bytes; ++i)
      b[1 + i] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xff);
    raw(b, static_cast<std::size_t>(bytes) + 1);
  }
  /// An array or map header: fix form below 16, then 16-bit (tag16), then 32-bit.
  void container(unsigned fix, unsigned tag16, std::size_t size) {
    const auto n = static_cast<std::uint32_t>(size);
    if (n < 16)
      out->push_back(static_cast<char>(fix | n));
    else if (n <= UINT16_MAX)
      tagged(tag16, n, 2);
    else
      tagged(tag16 + 1, n, 4);
  }
};

template <bool Canonical, class T>
void codec_encode(codec_writer& w, const T& v);

template <bool Canonical, class T>
void codec_encode_integer(codec_writer& w, T v) {
  if constexpr (std::is_signed_v<T>)
    w.int64(static_cast<std::int64_t>(v));
  else
    w.uint64(static_cast<std::uint64_t>(v));
}

/// Writes n elements produced by each(sub_writer) sorted by their bytes.
template <class Range, class EncodeOne>
void codec_encode_sorted(codec_writer& w, const Range& r, EncodeOne encode_one) {
  codec_sort_level& lvl = codec_sort_scratch(w.sort_depth);
  const std::size_t base = lvl.bytes.size();  // level is shared only with deeper levels
  const std::size_t span_base = lvl.spans.size();
  // Ours are taken back when this ends, also when an element's encoding throws (a
  // user hook): nothing is left behind for the next key on this thread.
  struct Restore {
    codec_sort_level& lvl;
    std::size_t base, span_base;
    ~Restore() {
      lvl.bytes.resize(base);
      lvl.spans.resize(span_base);
      // Released only when empty again: a re-entrant encode (through a
      // msgpack-native type) shares the level with its caller, whose bytes and
      // spans lie below ours.
      if (scratch_too_large(lvl.bytes) || scratch_too_large(lvl.spans)) [[unlikely]] {
        if (base == 0) std::string().swap(lvl.bytes);
        if (span_base == 0) decltype(lvl.spans)().swap(lvl.spans);
      }
    }
  } restore{lvl, base, span_base};
  codec_writer sub{&lvl.bytes, w.sort_depth + 1};
  for (const auto& e : r) {
    const std::size_t start = lvl.bytes.size();
    encode_one(sub, e);
    lvl.spans.emplace_back(static_cast<std::uint32_t>(start - base),
                           static_cast<std::uint32_t>(lvl.bytes.size() - start));
  }
  const char* data = lvl.bytes.data() + base;
  std::sort(lvl.spans.begin() + static_cast<std::ptrdiff_t>(span_base), lvl.spans.end(),
            [data](const auto& a, const auto& b) {
              return std::string_view(data + a.first, a.second) <
                     std::string_view(data + b.first, b.second);
            });
  for (std::size_t i = span_base; i < lvl.spans.size(); ++i)
    w.raw(lvl.bytes.data() + base + lvl.spans[i].first, lvl.spans[i].second);
}

template <bool Canonical, class T>
void codec_encode(codec_writer& w, const T& v) {
  using K = codec_kind;
  constexpr K k = codec_kind_v<T>;
  if constexpr (k == K::hook) {
    codec_encode<Canonical>(w,
                            static_cast<const codec_hook_repr_t<T>&>(codec::adaptor<T>::pack(v)));
  } else if constexpr (k == K::msgpack_native) {
    codec_require_msgpack_bridge<T>();
    if constexpr (codec_msgpack_bridged<T>) msgpack_bridge<T>::encode(w, v);
  } else if constexpr (k == K::boolean) {
    w.boolean(v);
  } else if constexpr (k == K::integer) {
    codec_encode_integer<Canonical>(w, v);
  } else if constexpr (k == K::floating) {
    w.float64(static_cast<double>(v));
  } else if constexpr (k == K::described_enum) {
    if (const char* name = boost::describe::enum_to_string(v, nullptr))
      w.str(name);
    else
      codec_encode_integer<Canonical>(w, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (k == K::plain_enum) {
    codec_encode_integer<Canonical>(w, static_cast<std::underlying_type_t<T>>(v));
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
    codec_encode<Canonical>(w, v.count());
  } else if constexpr (k == K::time_point) {
    codec_encode<Canonical>(w, v.time_since_epoch().count());
  } else if constexpr (k == K::optional) {
    if constexpr (codec_is_optional<typename T::value_type>::value) {
      // optional<optional<U>>: [] or [inner], so the two empties stay apart.
      w.array(v.has_value() ? 1 : 0);
      if (v) codec_encode<Canonical>(w, *v);
    } else {
      if (v)
        codec_encode<Canonical>(w, *v);
      else
        w.nil();
    }
  } else if constexpr (k == K::variant) {
    w.array(2);
    w.uint64(v.index());
    std::visit([&](const auto& alt) { codec_encode<Canonical>(w, alt); }, v);
  } else if constexpr (k == K::monostate) {
    w.nil();
  } else if constexpr (k == K::tuple) {
    w.array(std::tuple_size_v<T>);
    std::apply([&](const auto&... e) { (codec_encode<Canonical>(w, e), ...); }, v);
  } else if constexpr (k == K::fixed_array || k == K::sequence ||
                       (k == K::set && !(Canonical && codec_unordered<T>))) {
    w.array(static_cast<std::size_t>(std::distance(std::begin(v), std::end(v))));
    using E = std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(v))>>;
    if constexpr (std::is_same_v<T, std::vector<bool>>) {
      for (bool e : v) w.boolean(e);
    } else {
      for (const E& e : v) codec_encode<Canonical>(w, e);
    }
  } else if constexpr (k == K::set) {  // canonical unordered set
    w.array(v.size());
    codec_encode_sorted(w, v, [](codec_writer& s, const auto& e) { codec_encode<true>(s, e); });
  } else if constexpr (k == K::map) {
    w.map(v.size());
    if constexpr (Canonical && codec_unordered<T>) {
      codec_encode_sorted(w, v, [](codec_writer& s, const auto& kv) {
        codec_encode<true>(s, kv.first);
        codec_encode<true>(s, kv.second);
      });
    } else {
      for (const auto& kv : v) {
        codec_encode<Canonical>(w, kv.first);
        codec_encode<Canonical>(w, kv.second);
      }
    }
  } else if constexpr (k == K::described) {
    w.map(boost::mp11::mp_size<codec_members_t<T>>::value);
    boost::mp11::mp_for_each<codec_members_t<T>>([&](auto D) {
      w.str(D.name);
      codec_encode<Canonical>(w, v.*D.pointer);
    });
  } else if constexpr (k == K::pfr) {
    w.array(boost::pfr::tuple_size_v<T>);
    boost::pfr::for_each_field(v, [&](const auto& f) { codec_encode<Canonical>(w, f); });
  } else {
    static_assert(codec_dependent_false<T>, "redis_cache: type is not cacheable");
  }
}

}  // namespace redis_cache::detail
