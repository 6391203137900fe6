// redis_cache/codec/python.hpp — keys byte-identical to python-redis-cache 4.x.
//
// What python-redis-cache 4.x does (redis_cache/__init__.py, read from its source):
//   serializer    = compact_dump(v) = json.dumps(v, separators=(',', ':'), sort_keys=True)
//                   (ensure_ascii left at its default, True)
//   get_args()    = the bound arguments as {parameter name: value}; parameters not
//                   passed get their default value, so every parameter is in the object
//   get_full_prefix() = "{prefix:namespace}" with support_cluster (default True), else
//                   "prefix:namespace"; the namespace defaults to module.qualname
//   get_key()     = get_full_prefix() + ":" + b64encode(serializer(get_args()))
//                   (standard alphabet, '=' padding); no schema segment
//   value         = serializer(result); a hit is `if result:` then json.loads
//   store         = a Lua script: SETEX/SET the value, and with limit > 0 ZADD the key to
//                   "{prefix:namespace}:keys" with the server TIME, ZPOPMIN the entries
//                   beyond the limit and DEL them
// So a function without arguments has the key "<full prefix>:e30=" (base64 of "{}").
// A C++ call passes every argument, so the object holds every name of arg_names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/mp11/algorithm.hpp>
#include <redis_cache/codec/base64.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/detail/scratch_cap.hpp>

namespace redis_cache::codec::detail {
/// The calling thread's buffer for the JSON object of a Python-compatible key.
inline std::string& python_key_scratch() noexcept {
  thread_local std::string scratch;
  return scratch;
}
}  // namespace redis_cache::codec::detail

namespace redis_cache::codec {

/// Appends base64(compact sorted JSON of {names[i]: args[i]}) to out, as
/// python-redis-cache's get_key does. `order` lists the argument indices sorted by
/// name (python_arg_order). Throws ConfigError for a string that is not UTF-8.
/// Uses a thread_local scratch buffer, released after a key above
/// redis_cache::detail::scratch_keep_bytes.
template <class... Args>
void append_python_key_args(std::string& out, const std::vector<std::string>& names,
                            const std::vector<std::size_t>& order, const Args&... args) {
  std::string& scratch = detail::python_key_scratch();
  scratch.clear();
  detail::json_writer w{&scratch, true, true};
  scratch.push_back('{');
  if constexpr (sizeof...(Args) > 0) {
    const std::tuple<decltype(detail::key_view(args))...> tup(detail::key_view(args)...);
    for (std::size_t j = 0; j < order.size(); ++j) {
      if (j) scratch.push_back(',');
      const std::size_t i = order[j];
      detail::append_json_string(scratch, names[i], true);
      scratch.push_back(':');
      boost::mp11::mp_with_index<sizeof...(Args)>(
          i, [&](auto I) { detail::encode(w, std::get<I>(tup)); });
    }
  }
  scratch.push_back('}');
  base64_append(out, scratch);
  redis_cache::detail::release_if_large(scratch);
}

/// Argument indices sorted by name (Python's sort_keys order: code points).
std::vector<std::size_t> python_arg_order(const std::vector<std::string>& names);

}  // namespace redis_cache::codec
