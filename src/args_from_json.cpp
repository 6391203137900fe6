// Canonical key arguments from JSON + the schema note (see args_from_json.hpp).
//
// The JSON is read into a small tree first (the note is walked once per argument; objects
// keep their order for ElementOrder::as_given). Sorting "by value" uses an order key built
// beside the bytes, one whose byte order is the value order of the C++ types the note
// names: integers and floats numerically, strings by bytes, false < true, nullopt first,
// tuples / structs / sequences / variants lexicographically, described enumerators in
// declaration order.
#include "args_from_json.hpp"

#include <redis_cache/codec/base64.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "args_from_json_parts.hpp"

namespace redis_cache::detail {

namespace {

using namespace args_json;

// ---- the encoder ------------------------------------------------------------------------

std::string index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

class Encoder {
 public:
  explicit Encoder(ElementOrder unstated) : unstated_(unstated) {}
  bool order_guessed = false;

  void encode(Out& o, const Json& v, const Json* schema, const std::string& path) {
    if (!schema) return generic(o, v, path);
    const Json& s = resolve(*schema);
    if (s.is(Json::Kind::string)) return token(o, v, s.str(), path);
    if (!s.is(Json::Kind::object)) return generic(o, v, path);
    if (const Json* repr = s.get("repr")) return encode(o, v, repr, path);
    const std::string_view enc = s.get("encoding") ? s.get("encoding")->str() : "";
    if (enc == "map" || enc == "array") return record(o, v, s, enc == "map", path);
    if (const Json* e = s.get("enum")) return enumeration(o, v, *e, path);
    if (const Json* r = s.get("duration")) return encode(o, v, r, path);
    if (const Json* r = s.get("time_point")) return encode(o, v, r, path);
    if (const Json* e = s.get("optional")) return optional(o, v, *e, path);
    if (const Json* t = s.get("tuple"); t && t->is(Json::Kind::array)) {
      const auto& a = expect_array(v, path);
      if (a.size() != t->items.size())
        fail(path, "expected " + std::to_string(t->items.size()) + " elements, got " + echo(v));
      o.array(a.size());
      for (std::size_t i = 0; i < a.size(); ++i) encode(o, a[i], &t->items[i], index_path(path, i));
      return o.end();
    }
    if (const Json* alts = s.get("variant"); alts && alts->is(Json::Kind::array))
      return variant(o, v, *alts, path);
    if (const Json* e = s.get("seq")) return sequence(o, v, e, path);
    if (const Json* e = s.get("array")) {
      if (const Json* n = s.get("size");
          n && n->is_int && v.is(Json::Kind::array) && std::to_string(v.items.size()) != n->text)
        fail(path, "expected " + n->text + " elements, got " + std::to_string(v.items.size()));
      return sequence(o, v, e, path);
    }
    const bool unordered =
        s.get("unordered") && s.get("unordered")->is(Json::Kind::boolean) && s.get("unordered")->b;
    if (const Json* e = s.get("set")) return set(o, v, e, unordered, path);
    if (const Json* kv = s.get("map"); kv && kv->is(Json::Kind::array) && kv->items.size() == 2)
      return map(o, v, kv->items[0], kv->items[1], unordered, path);
    generic(o, v, path);  // a type with its own msgpack-cxx adaptor: by its JSON
  }

 private:
  [[noreturn]] static void fail(const std::string& path, const std::string& what) {
    throw ArgsJsonError(path + ": " + what);
  }
  static const std::vector<Json>& expect_array(const Json& v, const std::string& path) {
    if (!v.is(Json::Kind::array)) fail(path, "expected a JSON array, got " + echo(v));
    return v.items;
  }

  // Named types seen so far, for {"type":T,"recursive":true} back-references.
  const Json& resolve(const Json& s) {
    const Json* t = s.get("type");
    if (!t || !t->is(Json::Kind::string)) return s;
    if (s.get("recursive")) {
      auto it = types_.find(t->text);
      return it != types_.end() ? *it->second : s;
    }
    types_.emplace(t->text, &s);
    return s;
  }

  void token(Out& o, const Json& v, std::string_view t, const std::string& path) {
    if (t == "bool") {
      if (!v.is(Json::Kind::boolean)) fail(path, "expected true or false, got " + echo(v));
      return o.boolean(v.b);
    }
    if (t == "f64" || t == "f32") return o.float64(to_double(v, path));
    if (t == "str") {  // (null: a null const char*)
      if (v.is(Json::Kind::null)) return o.nil();
      if (!v.is(Json::Kind::string)) fail(path, "expected a string, got " + echo(v));
      return o.str(v.text);
    }
    if (t == "nil") {
      if (!v.is(Json::Kind::null)) fail(path, "expected null, got " + echo(v));
      return o.nil();
    }
    integer(o, v, t, path);  // i8..i64, u8..u64, char types
  }

  static double to_double(const Json& v, const std::string& path) {
    if (v.is(Json::Kind::string)) {
      if (v.text == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (v.text == "Infinity") return std::numeric_limits<double>::infinity();
      if (v.text == "-Infinity") return -std::numeric_limits<double>::infinity();
    }
    if (!v.is(Json::Kind::number))
      fail(path, "expected a number (or \"NaN\", \"Infinity\", \"-Infinity\"), got " + echo(v));
    const std::string& t = v.text;
    double d = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), d);
    if (r.ec == std::errc::result_out_of_range) {  // too large: +-inf; too small: +-0
      const auto e = t.find_first_of("eE");
      const bool tiny = e != std::string::npos && t[e + 1] == '-';
      d = tiny ? 0.0 : std::numeric_limits<double>::infinity();
      if (t[0] == '-') d = -d;
    }
    return d;
  }

  // An integer of the type a note token names ("i32", "u8", "char", ...).
  static void integer(Out& o, const Json& v, std::string_view t, const std::string& path) {
    bool ok = false, neg = false;
    std::int64_t s = 0;
    std::uint64_t u = 0;
    if (v.is(Json::Kind::number) && v.is_int) {
      const char* b = v.text.data();
      const char* e = b + v.text.size();
      neg = v.text[0] == '-';
      ok = neg ? std::from_chars(b, e, s).ec == std::errc()
               : std::from_chars(b, e, u).ec == std::errc();
    } else if (v.is(Json::Kind::number)) {  // 4.0 for 4
      const double d = to_double(v, path);
      if (std::trunc(d) == d && std::fabs(d) < 9.0e18) {
        ok = true;
        neg = d < 0;
        s = static_cast<std::int64_t>(d);
        u = neg ? 0 : static_cast<std::uint64_t>(s);
      }
    }
    if (!ok) {
      fail(path, v.is(Json::Kind::number) && v.is_int ? "integer " + echo(v) + " out of range"
                                                      : "expected an integer, got " + echo(v));
    }
    // Range of "iN" / "uN"; other tokens (char types) take what the writer takes.
    if ((t.size() == 2 || t.size() == 3) && (t[0] == 'i' || t[0] == 'u')) {
      int bits = 0;
      std::from_chars(t.data() + 1, t.data() + t.size(), bits);
      if (bits > 0 && bits < 64) {
        const bool is_signed = t[0] == 'i';
        const std::int64_t lo = is_signed ? -(std::int64_t{1} << (bits - 1)) : 0;
        const std::uint64_t hi =
            is_signed ? (std::uint64_t{1} << (bits - 1)) - 1 : (std::uint64_t{1} << bits) - 1;
        if (neg ? s < lo : u > hi) fail(path, echo(v) + " is out of range for " + std::string(t));
      } else if (bits == 64 && t[0] == 'u' && neg) {
        fail(path, echo(v) + " is out of range for u64");
      } else if (bits == 64 && t[0] == 'i' && !neg &&
                 u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(path, echo(v) + " is out of range for i64");
      }
    }
    if (neg)
      o.int64(s);
    else
      o.uint64(u);
  }

  // A described enum ("enum":[names]) by name, or a value without a name by its integer;
  // other enums ("enum":"i32") by integer. Enumerators order by declaration.
  void enumeration(Out& o, const Json& v, const Json& e, const std::string& path) {
    if (v.is(Json::Kind::string) && e.is(Json::Kind::array)) {
      for (std::size_t i = 0; i < e.items.size(); ++i) {
        if (e.items[i].str() == v.text) {
          o.w().str(v.text);
          return o.ord_u64(kNonNeg, i);
        }
      }
      fail(path, "no enumerator " + echo(v) + " (one of " + echo(e) + ")");
    }
    integer(o, v, e.is(Json::Kind::string) ? e.str() : "i64", path);
  }

  void optional(Out& o, const Json& v, const Json& inner, const std::string& path) {
    if (resolve(inner).get("optional")) {  // optional<optional<T>>: [] or [value]
      const auto& a = expect_array(v, path);
      if (a.size() > 1) fail(path, "expected [] or [value] (an optional of an optional)");
      o.array(a.size());
      if (!a.empty()) encode(o, a[0], &inner, path);
      return o.end();
    }
    if (v.is(Json::Kind::null)) return o.nil();
    encode(o, v, &inner, path);
  }

  void variant(Out& o, const Json& v, const Json& alts, const std::string& path) {
    const auto& a = expect_array(v, path);
    if (a.size() != 2 || !a[0].is(Json::Kind::number) || !a[0].is_int)
      fail(path, "expected [alternative index, value] for a variant, got " + echo(v));
    std::size_t i = 0;
    const auto r = std::from_chars(a[0].text.data(), a[0].text.data() + a[0].text.size(), i);
    if (r.ec != std::errc() || i >= alts.items.size())
      fail(path, "variant index " + echo(a[0]) + " out of range (" +
                     std::to_string(alts.items.size()) + " alternatives)");
    o.array(2);
    o.uint64(i);
    encode(o, a[1], &alts.items[i], index_path(path, 1));
    o.end();
  }

  // A struct by its note: a described class ("encoding":"map") is a msgpack map of field
  // name -> value, a PFR aggregate ("array") an array of its fields. Both take a JSON
  // object by field name or an array in field order.
  void record(Out& o, const Json& v, const Json& s, bool named, const std::string& path) {
    const Json* f = s.get("fields");
    const Json* sc = s.get("schema");
    if (!f || !f->is(Json::Kind::array) || !sc || !sc->is(Json::Kind::array))
      return generic(o, v, path);
    const auto& fields = f->items;
    const bool in_order = v.is(Json::Kind::array) && v.items.size() == fields.size();
    if (!in_order && !v.is(Json::Kind::object))
      fail(path, named ? "expected an object with fields " + echo(*f) + ", got " + echo(v)
                       : "expected an array of " + std::to_string(fields.size()) + " fields, got " +
                             echo(v));
    if (named)
      o.map(fields.size());
    else
      o.array(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string_view name = fields[i].str();
      const Json* x = in_order ? &v.items[i] : v.get(name);
      if (!x) fail(path, "missing field \"" + std::string(name) + "\"");
      if (named) o.w().str(name);  // same names in every value: not part of the order
      encode(o, *x, i < sc->items.size() ? &sc->items[i] : nullptr,
             named ? path + "." + std::string(name) : index_path(path, i));
    }
    o.end();
    if (v.is(Json::Kind::object) && v.keys.size() != fields.size()) {
      for (const auto& k : v.keys)
        if (std::none_of(fields.begin(), fields.end(), [&](const Json& n) { return n.str() == k; }))
          fail(path, "unknown field \"" + k + "\" (fields are " + echo(*f) + ")");
      fail(path, "a field given twice (fields are " + echo(*f) + ")");
    }
  }

  void sequence(Out& o, const Json& v, const Json* elem, const std::string& path) {
    const auto& a = expect_array(v, path);
    o.array(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) encode(o, a[i], elem, index_path(path, i));
    o.end();
  }

  struct Elem {
    Out out;          // the element (a map's: key then value)
    std::string key;  // what value order compares (a map's: the key's order key)
  };

  // Writes the elements in their container's order, equal ones once (a set holds each
  // value once; a map's keys are unique, so equal keys are an error).
  void sorted(Out& o, std::vector<Elem>& elems, bool unordered, bool is_map,
              const std::string& path) {
    const ElementOrder order = unordered ? ElementOrder::by_bytes : unstated_;
    if (!unordered && elems.size() > 1) order_guessed = true;
    auto key_of = [&](const Elem& e) -> const std::string& {
      return order == ElementOrder::by_bytes && !is_map ? e.out.bytes : e.key;
    };
    if (order == ElementOrder::by_bytes)
      std::sort(elems.begin(), elems.end(),
                [](const Elem& a, const Elem& b) { return a.out.bytes < b.out.bytes; });
    else if (order == ElementOrder::by_value)
      std::stable_sort(elems.begin(), elems.end(),
                       [](const Elem& a, const Elem& b) { return a.key < b.key; });
    std::vector<const Elem*> kept;
    for (const auto& e : elems) {
      const bool dup = std::any_of(kept.begin(), kept.end(),
                                   [&](const Elem* k) { return key_of(*k) == key_of(e); });
      if (dup && is_map) fail(path, "a key given twice");
      if (!dup) kept.push_back(&e);
    }
    if (is_map)
      o.map(kept.size());
    else
      o.array(kept.size());
    for (const Elem* e : kept) o.append(e->out);
    o.end();
  }

  void set(Out& o, const Json& v, const Json* elem, bool unordered, const std::string& path) {
    const auto& a = expect_array(v, path);
    std::vector<Elem> elems(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      encode(elems[i].out, a[i], elem, index_path(path, i));
      elems[i].key = elems[i].out.ord;
    }
    sorted(o, elems, unordered, false, path);
  }

  // A JSON object key as the map's key type: itself for string and enum keys; else its
  // JSON ("7", "[1,2]"), or a key the tool printed as "msgpack:<base64>".
  static bool string_keys(const Json& ks) {
    return ks.str() == "str" || (ks.get("enum") && ks.get("enum")->is(Json::Kind::array));
  }

  void map(Out& o, const Json& v, const Json& ks, const Json& vs, bool unordered,
           const std::string& path) {
    std::vector<Elem> elems;
    auto add = [&](const Json& k, const Json& x, const std::string& p) {
      Elem e;
      encode(e.out, k, &ks, p + "<key>");
      e.key = e.out.ord;
      encode(e.out, x, &vs, p);
      elems.push_back(std::move(e));
    };
    if (v.is(Json::Kind::object)) {
      const bool as_strings = string_keys(resolve(ks));
      for (std::size_t i = 0; i < v.keys.size(); ++i) {
        const std::string& k = v.keys[i];
        const std::string p = path + "[\"" + k + "\"]";
        Json key;
        key.kind = Json::Kind::string;
        key.text = k;
        std::string raw;
        if (!as_strings && k.starts_with("msgpack:") &&
            codec::base64_decode(std::string_view(k).substr(8), raw)) {
          Elem e;
          e.out.raw(raw);
          e.key = e.out.ord;
          encode(e.out, v.items[i], &vs, p);
          elems.push_back(std::move(e));
          continue;
        }
        if (!as_strings) {
          try {
            key = parse(k);
          } catch (const DecodeError&) {  // not JSON: a string (then the type says what fits)
          }
        }
        key.src = k;
        add(key, v.items[i], p);
      }
    } else if (v.is(Json::Kind::array)) {  // [[key, value], ...] for keys JSON objects cannot hold
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        const Json& pair = v.items[i];
        if (!pair.is(Json::Kind::array) || pair.items.size() != 2)
          fail(path, "expected an object or an array of [key, value] pairs, got " + echo(v));
        add(pair.items[0], pair.items[1], index_path(path, i));
      }
    } else {
      fail(path, "expected an object, got " + echo(v));
    }
    sorted(o, elems, unordered, true, path);
  }

  // Without a note: by JSON type. Integers in the smallest form, other numbers float64,
  // arrays in the order given, objects as maps of string keys (ordered by `unstated`).
  void generic(Out& o, const Json& v, const std::string& path) {
    switch (v.kind) {
      case Json::Kind::null:
        return o.nil();
      case Json::Kind::boolean:
        return o.boolean(v.b);
      case Json::Kind::number: {
        const char* b = v.text.data();
        const char* e = b + v.text.size();
        std::int64_t s = 0;
        std::uint64_t u = 0;
        if (v.is_int && v.text[0] == '-' && std::from_chars(b, e, s).ec == std::errc())
          return o.int64(s);
        if (v.is_int && v.text[0] != '-' && std::from_chars(b, e, u).ec == std::errc())
          return o.uint64(u);
        return o.float64(to_double(v, path));
      }
      case Json::Kind::string:
        return o.str(v.text);
      case Json::Kind::array:
        return sequence(o, v, nullptr, path);
      case Json::Kind::object: {
        std::vector<Elem> elems(v.keys.size());
        for (std::size_t i = 0; i < v.keys.size(); ++i) {
          elems[i].out.str(v.keys[i]);
          elems[i].key = elems[i].out.ord;
          encode(elems[i].out, v.items[i], nullptr, path + "." + v.keys[i]);
        }
        return sorted(o, elems, false, true, path);
      }
    }
  }

  ElementOrder unstated_;
  std::map<std::string, const Json*, std::less<>> types_;
};

}  // namespace

ArgsBytes args_from_json(std::string_view args_json, std::string_view note_json,
                         ElementOrder unstated) {
  Json args;
  try {
    args = parse(args_json);
  } catch (const DecodeError& e) {
    throw ArgsJsonError(std::string("the arguments are not JSON: ") + e.what());
  }
  if (!args.is(Json::Kind::array))
    throw ArgsJsonError("the arguments must be a JSON array, got " + echo(args));
  Json note;
  const Json* schemas = nullptr;
  if (!note_json.empty()) {
    note = parse(note_json);
    schemas = note.get("args");
    if (!schemas || !schemas->is(Json::Kind::array))
      throw DecodeError("redis_cache: the schema note has no \"args\" array: " + echo(note));
    if (schemas->items.size() != args.items.size())
      throw ArgsJsonError("the function takes " + std::to_string(schemas->items.size()) +
                          " argument(s), the JSON array has " + std::to_string(args.items.size()));
  }
  Encoder enc(unstated);
  Out out;
  out.array(args.items.size());
  for (std::size_t i = 0; i < args.items.size(); ++i)
    enc.encode(out, args.items[i], schemas ? &schemas->items[i] : nullptr,
               "argument " + std::to_string(i + 1));
  return {std::move(out.bytes), enc.order_guessed};
}

}  // namespace redis_cache::detail
