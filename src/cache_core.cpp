// Every Redis command a cached function sends (DESIGN.md §3): detail::io, over
// the CacheCore's client.
#include "cache_core.hpp"

#include <redis_cache/detail/near.hpp>
#include <redis_cache/errors.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <new>
#include <stdexcept>
#include <vector>

#include "cache_scripts.hpp"
#include "client/script.hpp"
#include "client/split_slot_store.hpp"
#include "key_layout.hpp"
#include "near/near_cache.hpp"

namespace redis_cache::detail {

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

Client& client_of(const FunctionState& fn) {
  return fn.core->client();
}

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

// Once per function per process: what the tools need to label fields.
void write_schema_note(const FunctionState& fn) {
  if (fn.schema_note.empty() || fn.schema_written.load(std::memory_order_relaxed)) return;
  const Num ttl(fn.ttl.count()), limit(static_cast<long long>(fn.limit));
  const std::array<std::string_view, 12> argv{"HSET",     fn.note_key, fn.schema, fn.schema_note,
                                              "function", fn.name,     "ns",      fn.ns,
                                              "ttl",      ttl.sv,      "limit",   limit.sv};
  client_of(fn).command(fn.ns_prefix, argv);
  fn.schema_written.store(true, std::memory_order_relaxed);
}

}  // namespace

CacheCore::CacheCore(Options options)
    : options_(std::move(options)), client_(make_client(options_)) {
  if (options_.near.max_bytes == 0 || !options_.active) return;
  near_ =
      std::make_unique<NearCache>(options_.near, near_topology(*client_),
                                  keys::tracking_prefix(options_.prefix, options_.support_cluster));
}

CacheCore::~CacheCore() = default;

NearStats CacheCore::near_stats() const noexcept {
  if (near_ == nullptr) return {};
  return near_->stats();
}

void CacheCore::scan_namespace(std::string_view ns_prefix,
                               const std::function<void(std::span<const std::string>)>& fn) {
  // One namespace shares a hash tag: its keys are all on the node of its slot.
  const std::string pattern = keys::scan_pattern(ns_prefix);
  client_->with_node(ns_prefix, [&](Connection& conn) {
    scan_node(
        conn, pattern, *client_, [&](std::string_view k) { return keys::belongs_to(k, ns_prefix); },
        fn);
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

/// Builds a FetchedValue from a reply (its members are private to the public header).
struct FetchAccess {
  static void fill(FetchedValue& out, Reply&& r) {
    static_assert(sizeof(Reply) <= sizeof(out.reply_) && alignof(Reply) <= alignof(void*),
                  "FetchedValue must be able to hold a Reply");
    out.bytes_ = r.str();
    ::new (static_cast<void*>(out.reply_)) Reply(std::move(r));  // the bytes stay where they are
    out.has_reply_ = true;
  }
  static Reply* reply(FetchedValue& v) { return std::launder(reinterpret_cast<Reply*>(v.reply_)); }
};

FetchedValue::~FetchedValue() {
  if (has_reply_) FetchAccess::reply(*this)->~Reply();
}

namespace io {

bool fetch(const FunctionState& fn, std::string_view key, FetchedValue& out) {
  const std::array<std::string_view, 2> argv{"GET", key};
  Client& client = client_of(fn);
  Reply r = client.command(fn.ns_prefix, argv);
  const ReplyType type = r.type();
  if (type == ReplyType::nil) return false;
  if (type != ReplyType::string)
    throw ProtocolError("redis_cache: GET " + std::string(key) + " on " + client.describe() +
                        " returned a reply that is not a string");
  FetchAccess::fill(out, std::move(r));
  return true;
}

bool fetch_near(const FunctionState& fn, std::string_view key, FetchedValue& out,
                NearTicket& ticket) {
  if (ticket.token == 0) return fetch(fn, key, out);
  // GET + PTTL in one round trip: the local expiry is never later than Redis'.
  const std::int64_t begun = NearCache::now();
  const std::vector<std::vector<std::string_view>> cmds{{"GET", key}, {"PTTL", key}};
  Client& client = client_of(fn);
  std::vector<Reply> r = client.pipeline(fn.ns_prefix, cmds);
  if (r.size() != 2)
    throw ProtocolError("redis_cache: GET + PTTL " + std::string(key) + " on " + client.describe() +
                        " returned " + std::to_string(r.size()) + " replies");
  check_reply(r[0], key);
  const ReplyType type = r[0].type();
  if (type == ReplyType::nil) return false;
  if (type != ReplyType::string)
    throw ProtocolError("redis_cache: GET " + std::string(key) + " on " + client.describe() +
                        " returned a reply that is not a string");
  const long long pttl = r[1].type() == ReplyType::integer ? r[1].integer() : -2;
  if (pttl == -2 || pttl == 0) {
    ticket.expires = begun;  // gone (or going) already: served from Redis, not kept
  } else {
    ticket.expires = fn.near->expiry(begun, pttl);
  }
  FetchAccess::fill(out, std::move(r[0]));
  return true;
}

void store(const FunctionState& fn, std::string_view key, std::string_view value) {
  Client& client = client_of(fn);
  const long long ttl = fn.ttl.count();
  if (fn.limit == 0) {
    if (ttl > 0) {
      Num t(ttl);
      const std::array<std::string_view, 5> argv{"SET", key, value, "EX", t.sv};
      client.command(fn.ns_prefix, argv);
    } else {
      const std::array<std::string_view, 3> argv{"SET", key, value};
      client.command(fn.ns_prefix, argv);
    }
  } else if (!store_limited(client, {fn.ns_prefix, fn.index_key, key, value, ttl}, fn.limit)) {
    bump(fn.stats.degraded_stores);  // the slot was split by a migration
  }
  write_schema_note(fn);
}

std::string lock_key(const FunctionState& fn, std::string_view key) {
  return keys::lock_key(fn.ns_prefix, key);
}

bool try_lock(const FunctionState& fn, std::string_view lock_key, std::string_view token,
              std::chrono::milliseconds ttl) {
  Client& client = client_of(fn);
  Num ms(ttl.count() > 0 ? static_cast<long long>(ttl.count()) : 1);
  const std::array<std::string_view, 6> argv{"SET", lock_key, token, "NX", "PX", ms.sv};
  Reply r = client.command(fn.ns_prefix, argv);
  if (r.type() == ReplyType::status) return true;  // OK
  // nil: held — possibly by us, when a lost reply made the connection resend
  // the SET (Connection::command retries once on a fresh connection).
  const std::array<std::string_view, 2> get{"GET", lock_key};
  Reply holder = client.command(fn.ns_prefix, get);
  return holder.type() == ReplyType::string && holder.str() == token;
}

void unlock(const FunctionState& fn, std::string_view lock_key, std::string_view token) {
  const std::array<std::string_view, 1> keys{lock_key};
  const std::array<std::string_view, 1> args{token};
  client_of(fn).eval(fn.ns_prefix, unlock_script(), keys, args);
}

bool invalidate(const FunctionState& fn, std::string_view key) {
  if (fn.limit == 0) {
    const std::array<std::string_view, 2> argv{"DEL", key};
    return client_of(fn).command(fn.ns_prefix, argv).integer() > 0;
  }
  const std::array<std::string_view, 2> keys{fn.index_key, key};
  return client_of(fn).eval(fn.ns_prefix, invalidate_script(), keys, {}).integer() > 0;
}

Removed invalidate_all(const FunctionState& fn) {
  return invalidate_all(fn, {});
}

Removed invalidate_all(const FunctionState& fn, const RemovalProgress& progress) {
  Removed removed;
  std::vector<std::string> keys;
  fn.core->scan_namespace(fn.ns_prefix, [&](std::span<const std::string> batch) {
    keys.insert(keys.end(), batch.begin(), batch.end());
    if (progress.scanned) progress.scanned(keys.size());
  });
  // Cached values first (any schema: older builds' values too), then the
  // namespace's bookkeeping (FIFO index, schema note, locks), counted apart.
  const std::string& prefix = fn.core->options().prefix;
  const auto book = std::stable_partition(keys.begin(), keys.end(), [&](const std::string& k) {
    const auto parts = keys::parse(k, prefix);
    return !parts || parts->kind == keys::KeyKind::value ||
           parts->kind == keys::KeyKind::python_value;
  });
  // UNLINK in batches of 500 (after the scan: deleting while scanning is
  // allowed by Redis, but collecting first keeps the SCAN cursor simple).
  constexpr std::size_t kBatch = 500;
  std::vector<std::string_view> argv;
  std::size_t done = 0;  // keys sent to UNLINK (some may have expired meanwhile)
  const auto unlink = [&](auto first, auto last) {
    std::size_t n = 0;
    for (auto it = first; it != last;) {
      argv.assign({"UNLINK"});
      for (std::size_t j = 0; j < kBatch && it != last; ++j, ++it) argv.push_back(*it);
      n += static_cast<std::size_t>(client_of(fn).command(fn.ns_prefix, argv).integer());
      if (progress.unlinked) progress.unlinked(done += argv.size() - 1, keys.size());
    }
    return n;
  };
  removed.values = unlink(keys.begin(), book);
  removed.keys = removed.values + unlink(book, keys.end());
  fn.schema_written.store(false, std::memory_order_relaxed);
  return removed;
}

void mget(CacheCore& core, std::span<const std::string_view> keys,
          std::vector<std::optional<std::string_view>>& values, std::shared_ptr<void>& keep) {
  // One MGET per hash slot, one pipeline per node (one MGET on one server).
  auto replies = std::make_shared<std::vector<Reply>>();
  core.client().mget(keys, values, *replies);
  keep = std::move(replies);
}

void store_many(CacheCore& core, std::span<const StoreItem> items) {
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
  Client& client = core.client();
  auto replies = client.pipeline_routed_unless_split(routes, cmds);
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
    const auto again = client.pipeline_routed_unless_split(retry_routes, retry);
    for (std::size_t j = 0; j < again.size(); ++j) {
      if (is_split_slot(again[j])) {
        split.push_back(retried[j]);
      } else {
        check_reply(again[j], "EVAL (FIFO script)");
      }
    }
  }
  if (!split.empty()) store_split(client, items, split);
  // Every path that stores a value writes its function's schema note (once per process).
  for (const auto& it : items) write_schema_note(*it.fn);
}

}  // namespace io

}  // namespace redis_cache::detail
