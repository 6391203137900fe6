// CacheCore: every Redis command a cached function sends (DESIGN.md §3).
#include <redis_cache/cache.hpp>
#include <redis_cache/codec/python.hpp>
#include <redis_cache/detail/core.hpp>
#include <redis_cache/detail/stampede.hpp>
#include <redis_cache/registry.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <random>
#include <source_location>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cache_scripts.hpp"
#include "client/client.hpp"
#include "client/script.hpp"
#include "client/split_slot_store.hpp"

namespace redis_cache {

std::string Stats::to_string() const {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "hits=%llu misses=%llu fills=%llu errors=%llu decode_failures=%llu "
                "coalesced=%llu lock_waits=%llu degraded_stores=%llu hit_ratio=%.3f",
                static_cast<unsigned long long>(hits), static_cast<unsigned long long>(misses),
                static_cast<unsigned long long>(fills), static_cast<unsigned long long>(errors),
                static_cast<unsigned long long>(decode_failures),
                static_cast<unsigned long long>(coalesced),
                static_cast<unsigned long long>(lock_waits),
                static_cast<unsigned long long>(degraded_stores), hit_ratio());
  return buf;
}

namespace detail {

namespace {

struct Num {
  std::array<char, 24> buf;
  std::string_view sv;
  explicit Num(long long v) {
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    sv = std::string_view(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
  }
};

void check_reply(const Reply& r, std::string_view where) {
  if (r.type() == ReplyType::error) throw_reply_error(r.str(), where);
}

// Whether `rest` (a key minus its namespace prefix) is one of the shapes the
// cache writes: "<8 hex>:<base64 msgpack array>" (msgpack, json codecs) or
// "<base64 JSON object>" (python codec).
bool is_value_key_rest(std::string_view rest) {
  std::string bytes;
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {  // Codec::python: base64 of {"arg":...}
    return codec::base64_decode(rest, bytes) && bytes.size() >= 2 && bytes.front() == '{' &&
           bytes.back() == '}';
  }
  const std::string_view schema = rest.substr(0, colon), args = rest.substr(colon + 1);
  if (schema.size() != 8 || schema.find_first_not_of("0123456789abcdef") != std::string_view::npos)
    return false;
  if (!codec::base64_decode(args, bytes) || bytes.empty()) return false;
  const auto first = static_cast<unsigned char>(bytes.front());
  const bool array = (first >= 0x90 && first <= 0x9f) || first == 0xdc || first == 0xdd;
  if (!array) return false;
  try {
    (void)codec::msgpack_to_json(bytes);  // exactly one well-formed value
    return true;
  } catch (const DecodeError&) {
    return false;
  }
}

// A key under namespace prefix P belongs to that namespace — and not to a
// longer namespace that merely starts the same, possible without cluster
// braces ("rc:report:" vs "rc:report:2024:...") — when the rest is exactly
// "keys", "schema", "lock:<value key rest>" or a value key rest. With braces
// the prefix "{rc:ns}:" is unambiguous (a namespace never contains braces).
bool belongs_to(std::string_view key, std::string_view prefix) {
  if (key.substr(0, prefix.size()) != prefix) return false;
  if (prefix.size() >= 2 && prefix.substr(prefix.size() - 2) == "}:") return true;
  std::string_view rest = key.substr(prefix.size());
  if (rest == "keys" || rest == "schema") return true;
  if (rest.substr(0, 5) == "lock:") rest.remove_prefix(5);
  return is_value_key_rest(rest);
}

// Stores the FIFO items items[split[i]] whose slot a migration had split,
// without evicting (see split_slot_store.hpp), and counts them.
void store_split(Client& client, std::span<const StoreItem> items,
                 std::span<const std::size_t> split) {
  std::vector<LimitedStore> stores;
  stores.reserve(split.size());
  for (const std::size_t i : split) {
    const StoreItem& it = items[i];
    stores.push_back({it.fn->ns_prefix, it.fn->index_key, it.key, it.value, it.fn->ttl.count()});
  }
  store_while_split(client, stores);
  for (const std::size_t i : split) bump(items[i].fn->stats.degraded_stores);
}

}  // namespace

// KEYS[1] = FIFO index (zset), KEYS[2] = value key.
// ARGV[1] = value, ARGV[2] = ttl seconds (0 = none), ARGV[3] = limit.
// Sets the value, records it in the index with the server's time, drops index
// members whose values have expired, then evicts the oldest beyond the limit.
const Script& fifo_script() {
  static const Script script(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ttl)
else
  redis.call('SET', KEYS[2], ARGV[1])
end
redis.call('ZADD', KEYS[1], now, KEYS[2])
if ttl > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ttl))
end
local n = redis.call('ZCARD', KEYS[1])
if n > limit then
  local old = redis.call('ZPOPMIN', KEYS[1], n - limit)
  for i = 1, #old, 2 do
    redis.call('UNLINK', old[i])
  end
end
return n
)lua");
  return script;
}

std::string codec_schema(Codec codec, std::string_view msgpack_schema) {
  switch (codec) {
    case Codec::msgpack:
      return std::string(msgpack_schema);
    case Codec::json: {
      // Keys as msgpack's, but a schema segment of its own: a value written by one
      // codec is never read by the other (the JSON "7" is also the msgpack 55).
      std::uint32_t h = 2166136261u;
      for (char c : std::string(msgpack_schema) + ":json")
        h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
      char hex[9];
      std::snprintf(hex, sizeof hex, "%08x", h);
      return hex;
    }
    case Codec::python:
      return {};  // python-redis-cache keys have no schema segment
  }
  return std::string(msgpack_schema);
}

std::string namespace_prefix(const Options& options, std::string_view ns) {
  std::string p;
  p.reserve(options.prefix.size() + ns.size() + 4);
  if (options.support_cluster) p += '{';
  p += options.prefix;
  p += ':';
  p += ns;
  if (options.support_cluster) p += '}';
  p += ':';
  return p;
}

std::string glob_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void check_namespace(std::string_view ns) {
  if (ns.empty()) throw ConfigError("redis_cache: the namespace of a cached function is empty");
  if (ns.find_first_of("{}") != std::string_view::npos)
    throw ConfigError("redis_cache: namespace \"" + std::string(ns) +
                      "\" contains '{' or '}', which would break the Redis Cluster hash tag; "
                      "choose a namespace without braces");
}

CacheCore::CacheCore(Options options)
    : options_(std::move(options)), client_(make_client(options_)) {}

CacheCore::~CacheCore() = default;

FetchedValue::~FetchedValue() {
  if (has_reply_) std::launder(reinterpret_cast<Reply*>(reply_))->~Reply();
}

bool CacheCore::fetch(const FunctionState& fn, std::string_view key, FetchedValue& out) {
  static_assert(sizeof(Reply) <= sizeof(out.reply_) && alignof(Reply) <= alignof(void*),
                "FetchedValue must be able to hold a Reply");
  if (out.has_reply_) throw std::logic_error("redis_cache: CacheCore::fetch into a used value");
  const std::array<std::string_view, 2> argv{"GET", key};
  Reply r = client_->command(fn.ns_prefix, argv);
  const ReplyType type = r.type();
  if (type == ReplyType::nil) return false;
  if (type != ReplyType::string)
    throw ProtocolError("redis_cache: GET " + std::string(key) + " on " + client_->describe() +
                        " returned a reply that is not a string");
  out.bytes_ = r.str();
  ::new (static_cast<void*>(out.reply_)) Reply(std::move(r));  // the bytes stay where they are
  out.has_reply_ = true;
  return true;
}

void CacheCore::store(const FunctionState& fn, std::string_view key, std::string_view value) {
  const long long ttl = fn.ttl.count();
  if (fn.limit == 0) {
    if (ttl > 0) {
      Num t(ttl);
      const std::array<std::string_view, 5> argv{"SET", key, value, "EX", t.sv};
      client_->command(fn.ns_prefix, argv);
    } else {
      const std::array<std::string_view, 3> argv{"SET", key, value};
      client_->command(fn.ns_prefix, argv);
    }
  } else if (!store_limited(*client_, {fn.ns_prefix, fn.index_key, key, value, ttl}, fn.limit)) {
    bump(fn.stats.degraded_stores);  // the slot was split by a migration
  }
  if (!fn.schema_note.empty() && !fn.schema_written.load(std::memory_order_relaxed)) {
    // Once per function per process: what the tools need to label fields.
    const std::string note_key = fn.ns_prefix + "schema";
    const Num ttl(fn.ttl.count()), limit(static_cast<long long>(fn.limit));
    const std::array<std::string_view, 12> argv{"HSET",     note_key, fn.schema, fn.schema_note,
                                                "function", fn.name,  "ns",      fn.ns,
                                                "ttl",      ttl.sv,   "limit",   limit.sv};
    client_->command(fn.ns_prefix, argv);
    fn.schema_written.store(true, std::memory_order_relaxed);
  }
}

bool CacheCore::try_lock(const FunctionState& fn, std::string_view lock_key, std::string_view token,
                         std::chrono::milliseconds ttl) {
  Num ms(ttl.count() > 0 ? static_cast<long long>(ttl.count()) : 1);
  const std::array<std::string_view, 6> argv{"SET", lock_key, token, "NX", "PX", ms.sv};
  Reply r = client_->command(fn.ns_prefix, argv);
  if (r.type() == ReplyType::status) return true;  // OK
  // nil: held — possibly by us, when a lost reply made the connection resend
  // the SET (Connection::command retries once on a fresh connection).
  const std::array<std::string_view, 2> get{"GET", lock_key};
  Reply holder = client_->command(fn.ns_prefix, get);
  return holder.type() == ReplyType::string && holder.str() == token;
}

void CacheCore::unlock(const FunctionState& fn, std::string_view lock_key, std::string_view token) {
  // Compare-and-delete: a holder whose lock expired never deletes another's.
  static const Script script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua");
  const std::array<std::string_view, 1> keys{lock_key};
  const std::array<std::string_view, 1> args{token};
  client_->eval(fn.ns_prefix, script, keys, args);
}

bool CacheCore::invalidate(const FunctionState& fn, std::string_view key) {
  if (fn.limit == 0) {
    const std::array<std::string_view, 2> argv{"DEL", key};
    return client_->command(fn.ns_prefix, argv).integer() > 0;
  }
  // One script, so a concurrent FIFO store can never land between the DEL
  // and the ZREM (which would leave a live value outside the index).
  static const Script script(R"lua(
local n = redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], KEYS[2])
return n
)lua");
  const std::array<std::string_view, 2> keys{fn.index_key, key};
  return client_->eval(fn.ns_prefix, script, keys, {}).integer() > 0;
}

namespace {

// SCAN MATCH pattern over the whole keyspace of one node; fn gets the batches of
// keys that `keep` accepts.
void scan_node(Connection& conn, std::string_view pattern, const Client& client,
               const std::function<bool(std::string_view)>& keep,
               const std::function<void(std::span<const std::string>)>& fn) {
  std::string cursor = "0";
  std::vector<std::string> batch;
  do {
    const std::array<std::string_view, 6> argv{"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"};
    Reply r = conn.command(argv);
    if (r.type() != ReplyType::array || r.size() != 2)
      throw ProtocolError("redis_cache: unexpected SCAN reply from " + client.describe());
    cursor.assign(r[0].str());
    batch.clear();
    const ReplyRef keys = r[1];
    for (std::size_t i = 0; i < keys.size(); ++i) {
      std::string_view k = keys[i].str();
      if (!keep || keep(k)) batch.emplace_back(k);
    }
    if (!batch.empty()) fn(batch);
  } while (cursor != "0");
}

}  // namespace

void CacheCore::scan_namespace(std::string_view ns_prefix,
                               const std::function<void(std::span<const std::string>)>& fn) {
  // One namespace shares a hash tag: its keys are all on the node of its slot.
  const std::string pattern = glob_escape(ns_prefix) + "*";
  client_->with_node(ns_prefix, [&](Connection& conn) {
    scan_node(
        conn, pattern, *client_, [&](std::string_view k) { return belongs_to(k, ns_prefix); }, fn);
  });
}

void CacheCore::scan_all_nodes(
    std::string_view pattern,
    const std::function<void(std::span<const std::string>, Connection&)>& fn) {
  client_->for_each_node([&](Connection& conn) {
    scan_node(conn, pattern, *client_, {},
              [&](std::span<const std::string> batch) { fn(batch, conn); });
  });
}

std::size_t CacheCore::invalidate_all(const FunctionState& fn) {
  std::size_t removed = 0;
  std::vector<std::string> keys;
  scan_namespace(fn.ns_prefix, [&](std::span<const std::string> batch) {
    keys.insert(keys.end(), batch.begin(), batch.end());
  });
  // UNLINK in batches of 500 (after the scan: deleting while scanning is
  // allowed by Redis, but collecting first keeps the SCAN cursor simple).
  constexpr std::size_t kBatch = 500;
  std::vector<std::string_view> argv;
  for (std::size_t i = 0; i < keys.size(); i += kBatch) {
    argv.assign({"UNLINK"});
    for (std::size_t j = i; j < std::min(keys.size(), i + kBatch); ++j) argv.push_back(keys[j]);
    removed += static_cast<std::size_t>(client_->command(fn.ns_prefix, argv).integer());
  }
  fn.schema_written.store(false, std::memory_order_relaxed);
  return removed;
}

void CacheCore::mget(std::span<const std::string_view> keys,
                     std::vector<std::optional<std::string_view>>& values,
                     std::shared_ptr<void>& keep) {
  // One MGET per hash slot, one pipeline per node (one MGET on one server).
  auto replies = std::make_shared<std::vector<Reply>>();
  client_->mget(keys, values, *replies);
  keep = std::move(replies);
}

void CacheCore::store_many(std::span<const StoreItem> items) {
  if (items.empty()) return;
  // Plain SETs and EVALSHAs of the FIFO script in one pipeline; NOSCRIPT
  // answers (script cache flushed) are resent as EVAL in a second one.
  std::vector<Num> nums;
  nums.reserve(items.size() * 2);
  std::vector<std::vector<std::string_view>> cmds;
  cmds.reserve(items.size());
  const Script& script = fifo_script();
  for (const auto& it : items) {
    const long long ttl = it.fn->ttl.count();
    if (it.fn->limit == 0) {
      if (ttl > 0) {
        nums.emplace_back(ttl);
        cmds.push_back({"SET", it.key, it.value, "EX", nums.back().sv});
      } else {
        cmds.push_back({"SET", it.key, it.value});
      }
    } else {
      nums.emplace_back(ttl);
      std::string_view t = nums.back().sv;
      nums.emplace_back(static_cast<long long>(it.fn->limit));
      std::string_view l = nums.back().sv;
      cmds.push_back({"EVALSHA", script.sha1(), "2", it.fn->index_key, it.key, it.value, t, l});
    }
  }
  // Each store is routed by its function's namespace: on a cluster the items
  // go out as one pipeline per node; on one server as one pipeline.
  std::vector<std::string_view> routes;
  routes.reserve(items.size());
  for (const auto& it : items) routes.push_back(it.fn->ns_prefix);
  auto replies = client_->pipeline_routed_unless_split(routes, cmds);
  std::vector<std::string_view> retry_routes;
  std::vector<std::vector<std::string_view>> retry;
  std::vector<std::size_t> retried, split;  // items resent as EVAL; items whose slot was split
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].type() != ReplyType::error) continue;
    if (replies[i].str().starts_with("NOSCRIPT")) {
      auto c = cmds[i];
      c[0] = "EVAL";
      c[1] = script.body();
      retry.push_back(std::move(c));
      retry_routes.push_back(routes[i]);
      retried.push_back(i);
    } else if (is_split_slot(replies[i])) {
      split.push_back(i);
    } else {
      throw_reply_error(replies[i].str(), items[i].key);
    }
  }
  if (!retry.empty()) {
    const auto again = client_->pipeline_routed_unless_split(retry_routes, retry);
    for (std::size_t j = 0; j < again.size(); ++j) {
      if (is_split_slot(again[j])) {
        split.push_back(retried[j]);
      } else {
        check_reply(again[j], "EVAL (FIFO script)");
      }
    }
  }
  if (!split.empty()) store_split(*client_, items, split);
}

// -- Scratch buffers --------------------------------------------------------

namespace {
struct ScratchStack {
  std::vector<std::unique_ptr<std::string>> bufs;
  std::size_t depth = 0;
};
thread_local ScratchStack scratch_stack;
}  // namespace

Scratch::Scratch() {
  auto& st = scratch_stack;
  if (st.depth == st.bufs.size()) st.bufs.push_back(std::make_unique<std::string>());
  s_ = st.bufs[st.depth++].get();
  s_->clear();
}

Scratch::~Scratch() {
  // One compare on the common path; a buffer grown for a large key or value
  // goes back to the allocator (swapping with an empty string frees it).
  release_if_large(*s_);
  --scratch_stack.depth;
}

std::size_t scratch_capacity() noexcept {
  std::size_t n = 0;
  for (const auto& b : scratch_stack.bufs) n += b->capacity();
  return n;
}

std::string lock_token() {
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::chrono::milliseconds backoff_sleep(std::chrono::milliseconds step) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<long long> jitter(step.count() * 500, step.count() * 1500);
  std::this_thread::sleep_for(std::chrono::microseconds(jitter(rng)));
  return std::min(step * 2, std::chrono::milliseconds(100));
}

std::string default_namespace(std::string_view qualified_name, const std::source_location& loc) {
  std::string ns(qualified_name);
  if (ns.find("(anonymous)") != std::string::npos) {
    std::string_view file = loc.file_name();
    auto slash = file.find_last_of("/\\");
    if (slash != std::string_view::npos) file = file.substr(slash + 1);
    ns = std::string(file) + ":" + ns;
  }
  return ns;
}

}  // namespace detail

// -- RedisCache ---------------------------------------------------------------

RedisCache::RedisCache(Options options)
    : core_(std::make_shared<detail::CacheCore>(std::move(options))) {}

RedisCache::~RedisCache() {
  detail::forget_default_cache(this);
}
// The registry's default cache is a RedisCache*: a move repoints it.
RedisCache::RedisCache(RedisCache&& other) noexcept : core_(std::move(other.core_)) {
  detail::default_cache_moved(&other, this);
}
RedisCache& RedisCache::operator=(RedisCache&& other) noexcept {
  if (this != &other) {
    core_ = std::move(other.core_);
    detail::default_cache_moved(&other, this);
  }
  return *this;
}

const Options& RedisCache::options() const noexcept {
  return core_->options();
}

std::shared_ptr<detail::FunctionState> RedisCache::make_state_impl(
    std::string name, std::string ns, CacheOptions opts, std::string_view schema,
    std::string schema_note, detail::SignatureCodecInfo info) const {
  if (!core_)
    throw ConfigError("redis_cache: cache() called on a moved-from RedisCache (namespace " + ns +
                      ")");
  if (core_->options().prefix.find_first_of("{}") != std::string::npos)
    throw ConfigError("redis_cache: Options::prefix \"" + core_->options().prefix +
                      "\" contains '{' or '}', which would break the Redis Cluster hash tag");
  detail::check_namespace(ns);
  const Options& o = core_->options();
  auto st = std::make_shared<detail::FunctionState>();
  st->core = core_;
  st->name = std::move(name);
  st->ns = std::move(ns);
  st->ns_prefix = detail::namespace_prefix(o, st->ns);
  st->codec = o.codec;
  st->compress_above = o.compress_above;
  st->schema = detail::codec_schema(o.codec, schema);
  if (o.codec != Codec::msgpack && !info.json_blocker.empty())
    throw ConfigError("redis_cache: " + st->name +
                      " cannot use Codec::" + (o.codec == Codec::json ? "json" : "python") +
                      ": JSON cannot carry type " + std::string(info.json_blocker) +
                      " (a map needs string or integer keys); use Codec::msgpack");
  if (o.codec == Codec::python) {
    if (o.compress_above != 0)
      throw ConfigError(
          "redis_cache: Codec::python cannot be combined with compress_above (Python could not "
          "read the values); set compress_above = 0 for " +
          st->ns);
    if (opts.ns.empty())
      throw ConfigError("redis_cache: Codec::python needs CacheOptions::ns for " + st->name +
                        ": the namespace the Python service uses (python-redis-cache's default "
                        "is module.qualname, e.g. \"app.users.load_user\")");
    if (opts.arg_names.size() != info.arity)
      throw ConfigError("redis_cache: Codec::python needs CacheOptions::arg_names with the " +
                        std::to_string(info.arity) + " Python parameter name(s) of " + st->ns +
                        ", got " + std::to_string(opts.arg_names.size()));
    for (std::size_t i = 0; i < opts.arg_names.size(); ++i) {
      if (opts.arg_names[i].empty())
        throw ConfigError("redis_cache: empty name in CacheOptions::arg_names of " + st->ns);
      for (std::size_t j = 0; j < i; ++j)
        if (opts.arg_names[i] == opts.arg_names[j])
          throw ConfigError("redis_cache: duplicate name \"" + opts.arg_names[i] +
                            "\" in CacheOptions::arg_names of " + st->ns);
    }
    st->arg_names = std::move(opts.arg_names);
    st->arg_order = codec::python_arg_order(st->arg_names);
    st->key_prefix = st->ns_prefix;
  } else {
    st->key_prefix = st->ns_prefix + st->schema + ":";
  }
  st->index_key = st->ns_prefix + "keys";
  if (o.codec != Codec::python) st->schema_note = std::move(schema_note);  // Python keys only
  if (opts.ttl.count() < 0)
    throw ConfigError("redis_cache: negative ttl for " + st->ns + " (0 means no expiry)");
  st->ttl = opts.ttl;
  st->limit = opts.limit;
  st->active = o.active;
  st->single_flight = opts.single_flight;
  if (opts.lock_timeout.count() < 0)
    throw ConfigError("redis_cache: negative lock_timeout for " + st->ns + " (0 means no lock)");
  st->lock_timeout = opts.lock_timeout;
  st->handler = opts.exception_handler ? std::move(opts.exception_handler) : o.exception_handler;
  return st;
}

}  // namespace redis_cache
