// redis-cache CLI: stored bytes <-> JSON (see json_codec.hpp).
#include "json_codec.hpp"

#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/detail/json_write.hpp>
#include "codec_tools.hpp"  // codec::any_value_to_json: msgpack, JSON, compressed

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <vector>

namespace rc_cli {

namespace rcd = redis_cache::codec::detail;

// ---- decoding ----------------------------------------------------------------------------

json::value decode_value(std::string_view bytes) {
  // The library's detector: zstd-compressed first, then JSON text (Codec::json / python),
  // else msgpack.
  return json::parse(redis_cache::codec::any_value_to_json(bytes));
}

json::value decode_args(std::string_view b64) {
  std::string raw;
  if (!redis_cache::codec::base64_decode(b64, raw))
    throw redis_cache::DecodeError("redis_cache: the arguments segment is not valid base64");
  if (!raw.empty() && raw.front() == '{') {  // python-redis-cache: {"arg": value}
    boost::system::error_code ec;
    json::value v = json::parse(raw, ec);
    if (!ec) return v;
  }
  return json::parse(redis_cache::codec::msgpack_to_json(raw));
}

// ---- schema helpers ------------------------------------------------------------------------

namespace {

const json::value* member(const json::value& s, std::string_view name) {
  if (!s.is_object()) return nullptr;
  return s.as_object().if_contains(name);
}

std::string_view str_or(const json::value* v, std::string_view fallback = {}) {
  return v && v->is_string() ? std::string_view(v->as_string()) : fallback;
}

bool positional_names(const json::array& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (str_or(&fields[i]) != std::to_string(i)) return false;
  return true;
}

// Named types seen so far, for {"type":T,"recursive":true} back-references.
using TypeTable = std::map<std::string, const json::value*, std::less<>>;

const json::value& resolve(const json::value& s, TypeTable& types) {
  if (!s.is_object()) return s;
  const std::string_view type = str_or(member(s, "type"));
  if (type.empty()) return s;
  if (member(s, "recursive")) {
    auto it = types.find(type);
    return it != types.end() ? *it->second : s;
  }
  types.emplace(std::string(type), &s);
  return s;
}

json::value label_impl(const json::value& v, const json::value& schema, TypeTable& types) {
  const json::value& s = resolve(schema, types);
  if (!s.is_object()) return v;
  if (const auto* repr = member(s, "repr")) return label_impl(v, *repr, types);
  auto each = [&](const json::value& elem_schema) -> json::value {
    if (!v.is_array()) return v;
    json::array out;
    for (const auto& e : v.as_array()) out.push_back(label_impl(e, elem_schema, types));
    return out;
  };
  const std::string_view enc = str_or(member(s, "encoding"));
  const auto* fields = member(s, "fields");
  const auto* schemas = member(s, "schema");
  if (enc == "map" && v.is_object() && schemas && schemas->is_array() && fields &&
      fields->is_array()) {
    json::object out;
    for (const auto& [k, x] : v.as_object()) {
      const json::value* fs = nullptr;
      for (std::size_t i = 0; i < fields->as_array().size(); ++i)
        if (str_or(&fields->as_array()[i]) == std::string_view(k) && i < schemas->as_array().size())
          fs = &schemas->as_array()[i];
      out[k] = fs ? label_impl(x, *fs, types) : x;
    }
    return out;
  }
  if (enc == "array" && v.is_array() && fields && fields->is_array() && schemas &&
      schemas->is_array() && fields->as_array().size() == v.as_array().size() &&
      schemas->as_array().size() == v.as_array().size()) {
    const auto& fa = fields->as_array();
    const auto& va = v.as_array();
    const auto& sa = schemas->as_array();
    if (positional_names(fa)) {
      json::array out;
      for (std::size_t i = 0; i < va.size(); ++i) out.push_back(label_impl(va[i], sa[i], types));
      return out;
    }
    json::object out;
    for (std::size_t i = 0; i < va.size(); ++i)
      out[str_or(&fa[i])] = label_impl(va[i], sa[i], types);
    return out;
  }
  if (const auto* e = member(s, "seq")) return each(*e);
  if (const auto* e = member(s, "set")) return each(*e);
  if (const auto* e = member(s, "array")) return each(*e);
  if (const auto* e = member(s, "optional")) {
    if (v.is_null()) return v;
    if (member(*e, "optional") && v.is_array()) return each(*e);
    return label_impl(v, *e, types);
  }
  if (const auto* t = member(s, "tuple");
      t && t->is_array() && v.is_array() && t->as_array().size() == v.as_array().size()) {
    json::array out;
    for (std::size_t i = 0; i < v.as_array().size(); ++i)
      out.push_back(label_impl(v.as_array()[i], t->as_array()[i], types));
    return out;
  }
  if (const auto* alts = member(s, "variant"); alts && alts->is_array() && v.is_array() &&
                                               v.as_array().size() == 2 &&
                                               v.as_array()[0].is_number()) {
    const auto i = v.as_array()[0].to_number<std::uint64_t>();
    if (i < alts->as_array().size())
      return json::array{v.as_array()[0], label_impl(v.as_array()[1], alts->as_array()[i], types)};
    return v;
  }
  if (const auto* kv = member(s, "map");
      kv && kv->is_array() && kv->as_array().size() == 2 && v.is_object()) {
    json::object out;
    for (const auto& [k, x] : v.as_object()) out[k] = label_impl(x, kv->as_array()[1], types);
    return out;
  }
  return v;
}

}  // namespace

json::value label(const json::value& value, const json::value& schema) {
  TypeTable types;
  return label_impl(value, schema, types);
}

// ---- encoding ------------------------------------------------------------------------------

namespace {

struct Elem {
  std::string bytes;  // encoded element (maps: key then value)
  json::value key;    // what std::set / std::map order by
};

int compare_numbers(const json::value& a, const json::value& b) {
  if (a.is_double() || b.is_double()) {
    const double x = a.to_number<double>(), y = b.to_number<double>();
    return x < y ? -1 : (y < x ? 1 : 0);
  }
  const bool an = a.is_int64() && a.as_int64() < 0, bn = b.is_int64() && b.as_int64() < 0;
  if (an != bn) return an ? -1 : 1;
  if (an) return a.as_int64() < b.as_int64() ? -1 : (b.as_int64() < a.as_int64() ? 1 : 0);
  const auto x = a.to_number<std::uint64_t>(), y = b.to_number<std::uint64_t>();
  return x < y ? -1 : (y < x ? 1 : 0);
}

bool value_less(const Elem& a, const Elem& b) {
  if (a.key.is_number() && b.key.is_number()) {
    if (int c = compare_numbers(a.key, b.key)) return c < 0;
  } else if (a.key.is_string() && b.key.is_string()) {
    return std::string_view(a.key.as_string()) < std::string_view(b.key.as_string());
  } else if (a.key.is_bool() && b.key.is_bool()) {
    if (a.key.as_bool() != b.key.as_bool()) return !a.key.as_bool();
  }
  return a.bytes < b.bytes;
}

class Encoder {
 public:
  explicit Encoder(SortOrder order) : order_(order) {}

  void encode(std::string& out, const json::value& v, const json::value* schema,
              const std::string& path) {
    rcd::msgpack_writer w{&out};
    if (!schema) return generic(w, out, v, path);
    const json::value& s = resolve(*schema, types_);
    if (s.is_string()) return token(w, v, s.as_string(), path);
    if (!s.is_object()) return generic(w, out, v, path);
    if (const auto* repr = member(s, "repr")) return encode(out, v, repr, path);
    const std::string_view enc = str_or(member(s, "encoding"));
    if (enc == "map" || enc == "array") return record(w, out, v, s, enc == "map", path);
    if (const auto* e = member(s, "enum")) return enumeration(w, v, *e, path);
    if (const auto* r = member(s, "duration")) return encode(out, v, r, path);
    if (const auto* r = member(s, "time_point")) return encode(out, v, r, path);
    if (const auto* e = member(s, "optional")) {
      if (member(*e, "optional")) {  // optional<optional<T>>: [] or [value]
        const auto& a = expect_array(v, path);
        if (a.size() > 1) fail(path, "expected [] or [value] (an optional of an optional)");
        w.array(a.size());
        if (!a.empty()) encode(out, a[0], e, path);
        return;
      }
      if (v.is_null()) return w.nil();
      return encode(out, v, e, path);
    }
    if (const auto* t = member(s, "tuple"); t && t->is_array()) {
      const auto& a = expect_array(v, path);
      if (a.size() != t->as_array().size())
        fail(path, "expected " + std::to_string(t->as_array().size()) + " elements");
      w.array(a.size());
      for (std::size_t i = 0; i < a.size(); ++i)
        encode(out, a[i], &t->as_array()[i], path + "[" + std::to_string(i) + "]");
      return;
    }
    if (const auto* alts = member(s, "variant"); alts && alts->is_array()) {
      const auto& a = expect_array(v, path);
      if (a.size() != 2 || !a[0].is_number())
        fail(path, "expected [alternative index, value] for a variant");
      const auto i = a[0].to_number<std::uint64_t>();
      if (i >= alts->as_array().size()) fail(path, "variant index out of range");
      w.array(2);
      w.uint64(i);
      return encode(out, a[1], &alts->as_array()[i], path + "[1]");
    }
    if (const auto* e = member(s, "seq")) return sequence(w, out, v, e, path);
    if (const auto* e = member(s, "array")) return sequence(w, out, v, e, path);
    if (const auto* e = member(s, "set")) return set(w, out, v, e, path);
    if (const auto* kv = member(s, "map"); kv && kv->is_array() && kv->as_array().size() == 2)
      return map(w, out, v, kv->as_array()[0], kv->as_array()[1], path);
    generic(w, out, v, path);
  }

 private:
  [[noreturn]] static void fail(const std::string& path, const std::string& what) {
    throw ArgsError(path + ": " + what);
  }
  static const json::array& expect_array(const json::value& v, const std::string& path) {
    if (!v.is_array()) fail(path, "expected a JSON array, got " + to_json(v));
    return v.as_array();
  }

  void token(rcd::msgpack_writer& w, const json::value& v, std::string_view t,
             const std::string& path) {
    if (t == "bool") {
      if (!v.is_bool()) fail(path, "expected true or false, got " + to_json(v));
      return w.boolean(v.as_bool());
    }
    if (t == "f64" || t == "f32") {
      if (v.is_number()) return w.float64(v.to_number<double>());
      if (v.is_string()) {
        const std::string_view s = v.as_string();
        if (s == "NaN") return w.float64(std::numeric_limits<double>::quiet_NaN());
        if (s == "Infinity") return w.float64(std::numeric_limits<double>::infinity());
        if (s == "-Infinity") return w.float64(-std::numeric_limits<double>::infinity());
      }
      fail(path, "expected a number, got " + to_json(v));
    }
    if (t == "str") {
      if (!v.is_string()) fail(path, "expected a string, got " + to_json(v));
      return w.str(v.as_string());
    }
    if (t == "nil") {
      if (!v.is_null()) fail(path, "expected null, got " + to_json(v));
      return w.nil();
    }
    integer(w, v, path);  // i8..i64, u8..u64, char types
  }

  static void integer(rcd::msgpack_writer& w, const json::value& v, const std::string& path) {
    if (v.is_int64()) return w.int64(v.as_int64());
    if (v.is_uint64()) return w.uint64(v.as_uint64());
    if (v.is_double()) {
      const double d = v.as_double();
      if (std::trunc(d) == d && std::fabs(d) < 9.0e18) return w.int64(static_cast<std::int64_t>(d));
    }
    fail(path, "expected an integer, got " + to_json(v));
  }

  void enumeration(rcd::msgpack_writer& w, const json::value& v, const json::value& e,
                   const std::string& path) {
    if (v.is_string() && e.is_array()) {
      for (const auto& name : e.as_array())
        if (name == v) return w.str(v.as_string());
      fail(path, "no enumerator " + to_json(v) + " (one of " + to_json(e) + ")");
    }
    integer(w, v, path);
  }

  // A struct by its schema note: a described class ("encoding":"map") is a msgpack map of
  // field name -> value, a PFR aggregate ("array") an array of its fields. Both take a JSON
  // object by field name or an array in field order.
  void record(rcd::msgpack_writer& w, std::string& out, const json::value& v, const json::value& s,
              bool named, const std::string& path) {
    const auto* f = member(s, "fields");
    const auto* sc = member(s, "schema");
    if (!f || !f->is_array() || !sc || !sc->is_array()) return generic(w, out, v, path);
    const auto& fields = f->as_array();
    const auto& schemas = sc->as_array();
    const bool in_order = v.is_array() && v.as_array().size() == fields.size();
    if (!in_order && !v.is_object())
      fail(path, named ? "expected an object with fields " + to_json(*f)
                       : "expected an array of " + std::to_string(fields.size()) + " fields, got " +
                             to_json(v));
    if (named)
      w.map(fields.size());
    else
      w.array(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string_view name = str_or(&fields[i]);
      const json::value* x = in_order ? &v.as_array()[i] : v.as_object().if_contains(name);
      if (!x) fail(path, "missing field \"" + std::string(name) + "\"");
      if (named) w.str(name);
      encode(out, *x, i < schemas.size() ? &schemas[i] : nullptr,
             named ? path + "." + std::string(name) : path + "[" + std::to_string(i) + "]");
    }
    if (v.is_object() && v.as_object().size() != fields.size())
      fail(path, "unknown field (fields are " + to_json(*f) + ")");
  }

  void sequence(rcd::msgpack_writer& w, std::string& out, const json::value& v,
                const json::value* elem, const std::string& path) {
    const auto& a = expect_array(v, path);
    w.array(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      encode(out, a[i], elem, path + "[" + std::to_string(i) + "]");
  }

  void sorted(rcd::msgpack_writer& w, std::vector<Elem>& elems) {
    if (order_ == SortOrder::as_given) {
      // keep the order of --args
    } else if (order_ == SortOrder::by_bytes)
      std::sort(elems.begin(), elems.end(),
                [](const Elem& a, const Elem& b) { return a.bytes < b.bytes; });
    else
      std::sort(elems.begin(), elems.end(), value_less);
    for (const auto& e : elems) w.raw(e.bytes.data(), e.bytes.size());
  }

  void set(rcd::msgpack_writer& w, std::string& out, const json::value& v, const json::value* elem,
           const std::string& path) {
    const auto& a = expect_array(v, path);
    std::vector<Elem> elems(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      encode(elems[i].bytes, a[i], elem, path + "[" + std::to_string(i) + "]");
      elems[i].key = a[i];
    }
    w.array(a.size());
    sorted(w, elems);
    (void)out;
  }

  // A JSON object key converted to the map's key type.
  static json::value object_key(std::string_view k, const json::value& key_schema) {
    const std::string_view t = str_or(&key_schema);
    if (t == "str" || (key_schema.is_object() && member(key_schema, "enum") &&
                       member(key_schema, "enum")->is_array()))
      return json::string(k);
    boost::system::error_code ec;
    json::value parsed = json::parse(k, ec);
    return ec ? json::value(json::string(k)) : parsed;
  }

  void map(rcd::msgpack_writer& w, std::string& out, const json::value& v, const json::value& ks,
           const json::value& vs, const std::string& path) {
    std::vector<Elem> elems;
    auto add = [&](const json::value& k, const json::value& x, const std::string& p) {
      Elem e;
      encode(e.bytes, k, &ks, p + "<key>");
      encode(e.bytes, x, &vs, p);
      e.key = k;
      elems.push_back(std::move(e));
    };
    if (v.is_object()) {
      for (const auto& [k, x] : v.as_object())
        add(object_key(k, ks), x, path + "[\"" + std::string(k) + "\"]");
    } else if (v.is_array()) {  // [[key, value], ...] for keys JSON objects cannot hold
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        const auto& pair = v.as_array()[i];
        if (!pair.is_array() || pair.as_array().size() != 2)
          fail(path, "expected an object or an array of [key, value] pairs");
        add(pair.as_array()[0], pair.as_array()[1], path + "[" + std::to_string(i) + "]");
      }
    } else {
      fail(path, "expected an object, got " + to_json(v));
    }
    w.map(elems.size());
    sorted(w, elems);
    (void)out;
  }

  void generic(rcd::msgpack_writer& w, std::string& out, const json::value& v,
               const std::string& path) {
    switch (v.kind()) {
      case json::kind::null:
        return w.nil();
      case json::kind::bool_:
        return w.boolean(v.as_bool());
      case json::kind::int64:
        return w.int64(v.as_int64());
      case json::kind::uint64:
        return w.uint64(v.as_uint64());
      case json::kind::double_:
        return w.float64(v.as_double());
      case json::kind::string:
        return w.str(v.as_string());
      case json::kind::array:
        return sequence(w, out, v, nullptr, path);
      case json::kind::object: {
        // Without a note: described structs keep the given field order; maps sort.
        std::vector<Elem> elems;
        for (const auto& [k, x] : v.as_object()) {
          Elem e;
          rcd::msgpack_writer sub{&e.bytes};
          sub.str(k);
          encode(e.bytes, x, nullptr, path + "." + std::string(k));
          e.key = json::string(k);
          elems.push_back(std::move(e));
        }
        w.map(elems.size());
        return sorted(w, elems);
      }
    }
  }

  SortOrder order_;
  TypeTable types_;
};

}  // namespace

std::string encode_args(const json::array& args, const json::array* arg_schemas, SortOrder order) {
  if (arg_schemas && arg_schemas->size() != args.size())
    throw ArgsError("the function takes " + std::to_string(arg_schemas->size()) +
                    " argument(s), --args has " + std::to_string(args.size()));
  Encoder enc(order);
  std::string out;
  rcd::msgpack_writer w{&out};
  w.array(args.size());
  for (std::size_t i = 0; i < args.size(); ++i)
    enc.encode(out, args[i], arg_schemas ? &(*arg_schemas)[i] : nullptr,
               "argument " + std::to_string(i + 1));
  return out;
}

// ---- rendering -----------------------------------------------------------------------------

std::string render_type(const json::value& s) {
  if (s.is_string()) return std::string(s.as_string());
  if (!s.is_object()) return to_json(s);
  auto list = [](const json::value* a) {
    std::string out;
    if (!a || !a->is_array()) return out;
    for (const auto& e : a->as_array()) out += (out.empty() ? "" : ", ") + render_type(e);
    return out;
  };
  if (const auto* t = member(s, "type")) return std::string(str_or(t));
  if (const auto* e = member(s, "optional")) return render_type(*e) + "?";
  if (const auto* e = member(s, "seq")) return "[" + render_type(*e) + "]";
  if (const auto* e = member(s, "set")) return "set<" + render_type(*e) + ">";
  if (const auto* e = member(s, "array"))
    return render_type(*e) + "[" + to_json(s.as_object().contains("size") ? s.at("size") : "") +
           "]";
  if (const auto* kv = member(s, "map"); kv && kv->is_array() && kv->as_array().size() == 2)
    return "{" + render_type(kv->as_array()[0]) + ": " + render_type(kv->as_array()[1]) + "}";
  if (const auto* t = member(s, "tuple")) return "(" + list(t) + ")";
  if (const auto* t = member(s, "variant")) return "variant<" + list(t) + ">";
  if (const auto* r = member(s, "duration")) return "duration<" + render_type(*r) + ">";
  if (const auto* r = member(s, "time_point")) return "time_point<" + render_type(*r) + ">";
  return to_json(s);
}

void collect_definitions(const json::value& s, std::vector<std::string>& out) {
  if (!s.is_object()) return;
  const auto& o = s.as_object();
  auto add = [&](std::string line) {
    if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(std::move(line));
  };
  const std::string type(str_or(member(s, "type")));
  const auto* fields = member(s, "fields");
  const auto* schemas = member(s, "schema");
  if (fields && fields->is_array() && schemas && schemas->is_array() &&
      fields->as_array().size() == schemas->as_array().size()) {
    const bool named =
        str_or(member(s, "encoding")) == "map" || !positional_names(fields->as_array());
    std::string line = type + (named ? " {" : " [");
    for (std::size_t i = 0; i < fields->as_array().size(); ++i) {
      if (i) line += ", ";
      if (named) line += std::string(str_or(&fields->as_array()[i])) + ": ";
      line += render_type(schemas->as_array()[i]);
    }
    add(line + (named ? "}" : "]"));
  } else if (const auto* e = member(s, "enum")) {
    std::string line = type + " = ";
    if (e->is_array()) {
      for (std::size_t i = 0; i < e->as_array().size(); ++i)
        line += (i ? " | " : "") + std::string(str_or(&e->as_array()[i]));
    } else {
      line += "enum of " + std::string(str_or(e));
    }
    add(line);
  } else if (const auto* r = member(s, "repr")) {
    add(type + " stored as " + render_type(*r));
  }
  for (const auto& [k, v] : o) {
    if (k == "type" || k == "fields" || k == "enum" || k == "encoding") continue;
    if (v.is_array()) {
      for (const auto& e : v.as_array()) collect_definitions(e, out);
    } else {
      collect_definitions(v, out);
    }
  }
}

// ---- python keys ---------------------------------------------------------------------------

namespace {

void python_json(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      rcd::append_json_int(out, v.get_int64());
      break;
    case json::kind::uint64:
      rcd::append_json_int(out, v.get_uint64());
      break;
    case json::kind::double_:
      rcd::append_json_double(out, v.get_double());  // Python's repr(float)
      break;
    case json::kind::string:
      rcd::append_json_string(out, v.get_string(), true);  // ensure_ascii
      break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        python_json(e, out);
      }
      out.push_back(']');
      break;
    }
    case json::kind::object: {
      // sort_keys=True: code-point order, which is byte order of UTF-8.
      std::vector<const json::key_value_pair*> members;
      for (const auto& kv : v.get_object()) members.push_back(&kv);
      std::sort(members.begin(), members.end(),
                [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out.push_back('{');
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i) out.push_back(',');
        rcd::append_json_string(out, members[i]->key(), true);
        out.push_back(':');
        python_json(members[i]->value(), out);
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace

std::string python_args_json(const json::object& args) {
  std::string out;
  python_json(args, out);
  return out;
}

// ---- printing ------------------------------------------------------------------------------

std::string to_json(const json::value& v) {
  return json::serialize(v);
}

std::string to_pretty_json(const json::value& v, int indent) {
  const std::string compact = json::serialize(v);
  if (!v.is_structured() || compact.size() + static_cast<std::size_t>(indent) <= 72) return compact;
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  std::string out;
  if (v.is_array()) {
    out = "[\n";
    const auto& a = v.as_array();
    for (std::size_t i = 0; i < a.size(); ++i)
      out += pad + to_pretty_json(a[i], indent + 2) + (i + 1 < a.size() ? ",\n" : "\n");
    return out + std::string(static_cast<std::size_t>(indent), ' ') + "]";
  }
  out = "{\n";
  const auto& o = v.as_object();
  std::size_t i = 0;
  for (const auto& [k, x] : o) {
    out += pad + json::serialize(json::string(k)) + ": " + to_pretty_json(x, indent + 2) +
           (++i < o.size() ? ",\n" : "\n");
  }
  return out + std::string(static_cast<std::size_t>(indent), ' ') + "}";
}

}  // namespace rc_cli
