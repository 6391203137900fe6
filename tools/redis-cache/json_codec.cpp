// redis-cache CLI: stored bytes <-> JSON (see json_codec.hpp).
#include "json_codec.hpp"

#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/detail/json_write.hpp>
#include <redis_cache/codec/limits.hpp>

#include "codec_tools.hpp"  // codec::any_value_to_json: msgpack, JSON, compressed

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

namespace rc_cli {

namespace rcd = redis_cache::codec::detail;

// ---- decoding ----------------------------------------------------------------------------

json::value parse_json(std::string_view text, boost::system::error_code& ec) {
  json::parse_options opt;
  opt.max_depth = redis_cache::codec::max_decode_depth + 1;  // + the wrapping array of args
  return json::parse(text, ec, {}, opt);
}

namespace {
/// The library's JSON text (valid by construction) as a value.
json::value parse_ours(const std::string& text) {
  boost::system::error_code ec;
  json::value v = parse_json(text, ec);
  if (ec) throw redis_cache::DecodeError("redis_cache: cannot show the value: " + ec.message());
  return v;
}
}  // namespace

json::value decode_value(std::string_view bytes) {
  // The library's detector: zstd-compressed first, then JSON text (Codec::json / python),
  // else msgpack.
  return parse_ours(redis_cache::codec::any_value_to_json(bytes));
}

json::value decode_args(std::string_view b64) {
  std::string raw;
  if (!redis_cache::codec::base64_decode(b64, raw))
    throw redis_cache::DecodeError("redis_cache: the arguments segment is not valid base64");
  if (!raw.empty() && raw.front() == '{') {  // python-redis-cache: {"arg": value}
    boost::system::error_code ec;
    json::value v = parse_json(raw, ec);
    if (!ec) return v;
  }
  return parse_ours(redis_cache::codec::msgpack_to_json(raw));
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

// ---- writing JSON --------------------------------------------------------------------------

namespace {

// One writer for what the tool prints and for python keys, with the library's number and
// string writers: floats as the shortest text that reads back the same ("2.0", "0.644"),
// never Boost.JSON's exponent form ("2E0").
//   python: python-redis-cache's json.dumps(separators=(',', ':'), sort_keys=True):
//           ensure_ascii, keys sorted, NaN / Infinity bare as Python writes them;
//   plain:  UTF-8 as is, keys in their order, NaN / Infinity as the strings the library's
//           msgpack_to_json uses, so the output stays JSON.
void write_json(const json::value& v, std::string& out, bool python) {
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
      if (!python && !std::isfinite(v.get_double())) out.push_back('"');
      rcd::append_json_double(out, v.get_double());  // Python's repr(float)
      if (!python && !std::isfinite(v.get_double())) out.push_back('"');
      break;
    case json::kind::string:
      rcd::append_json_string(out, v.get_string(), python);
      break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_json(e, out, python);
      }
      out.push_back(']');
      break;
    }
    case json::kind::object: {
      std::vector<const json::key_value_pair*> members;
      for (const auto& kv : v.get_object()) members.push_back(&kv);
      if (python)  // sort_keys=True: code-point order, which is byte order of UTF-8
        std::sort(members.begin(), members.end(),
                  [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out.push_back('{');
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i) out.push_back(',');
        rcd::append_json_string(out, members[i]->key(), python);
        out.push_back(':');
        write_json(members[i]->value(), out, python);
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace

std::string python_args_json(const json::object& args) {
  std::string out;
  write_json(args, out, true);
  return out;
}

std::string to_json(const json::value& v) {
  std::string out;
  write_json(v, out, false);
  return out;
}

std::string to_pretty_json(const json::value& v, int indent) {
  const std::string compact = to_json(v);
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
    out += pad + to_json(json::string(k)) + ": " + to_pretty_json(x, indent + 2) +
           (++i < o.size() ? ",\n" : "\n");
  }
  return out + std::string(static_cast<std::size_t>(indent), ' ') + "}";
}

}  // namespace rc_cli
