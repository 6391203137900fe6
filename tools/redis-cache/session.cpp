// redis-cache CLI: connection, namespace lookup, notes, progress, output (see session.hpp).
#include "session.hpp"

#include <redis_cache/codec/base64.hpp>
#include <redis_cache/errors.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "client/url.hpp"

namespace rc_cli {

using rcd::Reply;
using rcd::ReplyType;

// ---- Progress --------------------------------------------------------------------------------

Progress::Progress(std::string what, ProgressMode mode)
    : what_(std::move(what)),
      enabled_(mode == ProgressMode::on ||
               (mode == ProgressMode::automatic && ::isatty(STDERR_FILENO) == 1)),
      forced_(mode == ProgressMode::on),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() {
  clear();
}

void Progress::clear() {
  if (!shown_) return;
  std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

void Progress::add(std::size_t n) {
  count_ += n;
  show();
}

void Progress::set(std::size_t done, std::size_t total) {
  count_ = done;
  total_ = total;
  show();
}

void Progress::show() {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // On a terminal only work that takes a while gets a line; then at most 10 updates a
  // second. --progress shows the first update at once.
  if (updates_ == 0 ? !forced_ && now - start_ < std::chrono::milliseconds(300)
                    : now - last_ < std::chrono::milliseconds(100))
    return;
  last_ = now;
  ++updates_;
  shown_ = true;
  std::cerr << "\r\033[K" << what_ << ": " << count_;
  if (total_ > 0) std::cerr << " of " << total_;
  std::cerr << " keys";
  if (total_ > 0) std::cerr << " (" << std::min<std::size_t>(100, count_ * 100 / total_) << "%)";
  std::cerr << std::flush;
}

// ---- Note ------------------------------------------------------------------------------------

const json::value* Note::find(std::string_view hex) const {
  for (const auto& v : versions)
    if (v.hex == hex && !v.note.is_null()) return &v.note;
  return nullptr;
}

// ---- Session ---------------------------------------------------------------------------------

Session::Session(Settings s) : s_(std::move(s)) {
  if (rcd::is_cluster_url(s_.url)) {
    // The library refuses a cluster without hash tags: every key there is braced.
    if (s_.braces == Braces::off)
      throw CliError(exit_usage,
                     "--no-cluster-braces does not apply to a redis+cluster:// URL: on a "
                     "cluster every namespace's keys carry the {hash tag}");
    s_.braces = Braces::on;
  }
  redis_cache::Options o;
  o.url = s_.url;
  o.prefix = s_.prefix;
  o.support_cluster = s_.braces != Braces::off;
  o.pool_size = 2;  // one scanning, one for commands about what it found
  o.command_timeout = s_.timeout.value_or(std::chrono::milliseconds(5000));
  if (s_.timeout) o.connect_timeout = *s_.timeout;
  o.client_name = "redis-cache-cli";
  core_ = std::make_shared<rcd::CacheCore>(std::move(o));  // ConfigError for a bad URL
}

Reply Session::command(std::string_view route, std::vector<std::string_view> argv) {
  return core_->client().command(route, argv);
}

std::vector<Reply> Session::pipeline(std::string_view route,
                                     const std::vector<std::vector<std::string_view>>& cmds) {
  if (cmds.empty()) return {};
  return core_->client().pipeline(route, cmds);
}

std::vector<NsRef> Session::forms(std::string_view ns) const {
  std::vector<NsRef> out;
  for (bool braced : {true, false}) {
    if ((braced && s_.braces == Braces::off) || (!braced && s_.braces == Braces::on)) continue;
    out.push_back({std::string(ns), braced, ns_prefix(s_.prefix, ns, braced)});
  }
  return out;
}

std::vector<NsRef> Session::existing(std::string_view ns) {
  std::vector<NsRef> out;
  for (auto& ref : forms(ns)) {
    const std::string note = rcd::keys::note_key(ref.prefix),
                      index = rcd::keys::index_key(ref.prefix);
    bool found = command(ref.prefix, {"EXISTS", note, index}).integer() > 0;
    if (!found) {
      scan(ref, [&](std::span<const std::string> batch) {
        for (const auto& k : batch) {
          auto p = parse_key(k, s_.prefix);
          if (p && p->ns == ns) found = true;
        }
      });
    }
    if (found) out.push_back(std::move(ref));
  }
  if (out.empty())
    throw CliError(exit_not_found, "namespace '" + std::string(ns) + "' not found under prefix '" +
                                       s_.prefix + "' (see: redis-cache ls)");
  return out;
}

void Session::scan(const NsRef& ref, const std::function<void(std::span<const std::string>)>& fn) {
  Progress progress("scanning '" + ref.ns + "'", s_.progress);
  core_->scan_namespace(ref.prefix, [&](std::span<const std::string> batch) {
    progress.add(batch.size());
    fn(batch);
  });
}

void Session::scan_prefix(
    bool braced, const std::function<void(std::span<const std::string>, rcd::Connection&)>& fn) {
  // Every namespace at once: SCAN MATCH "{<prefix>:*" / "<prefix>:*" on every node
  // holding data (every master of a cluster), with the library's scanner.
  const std::string pattern = rcd::keys::prefix_pattern(s_.prefix, braced);
  Progress progress("scanning " + pattern, s_.progress);
  core_->scan_all_nodes(pattern, [&](std::span<const std::string> batch, rcd::Connection& conn) {
    progress.add(batch.size());
    fn(batch, conn);
  });
}

void Session::for_each_node(const std::function<void(rcd::Connection&)>& fn) {
  core_->client().for_each_node(fn);
}

Note Session::note(const NsRef& ref) {
  Note n;
  const std::string key = ref.prefix + "schema";
  Reply r = command(ref.prefix, {"HGETALL", key});
  for (std::size_t i = 0; i + 1 < r.size(); i += 2) {
    std::string field(r[i].str()), value(r[i + 1].str());
    if (is_schema_hex(field)) {
      boost::system::error_code ec;
      json::value v = parse_json(value, ec);
      const bool has_args =
          !ec && v.is_object() && v.as_object().contains("args") && v.at("args").is_array();
      n.versions.push_back(
          {field, ec ? json::value(nullptr) : std::move(v), has_args ? value : std::string()});
    }
    n.fields.emplace(std::move(field), std::move(value));
  }
  return n;
}

// ---- output ----------------------------------------------------------------------------------

namespace {
std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  return n;
}
}  // namespace

Table::Table(std::vector<std::string> headers, std::vector<std::size_t> right)
    : headers_(std::move(headers)), right_(std::move(right)) {}

void Table::row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::str() const {
  std::vector<std::size_t> w(headers_.size());
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    w[c] = display_width(headers_[c]);
    for (const auto& r : rows_) w[c] = std::max(w[c], display_width(r[c]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(w[c] - display_width(cells[c]), ' ');
      const bool right = std::find(right_.begin(), right_.end(), c) != right_.end();
      if (c) l += "  ";
      l += right ? pad + cells[c] : cells[c] + (c + 1 < cells.size() ? pad : "");
    }
    out += l + "\n";
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
  return out;
}

std::string human_bytes(long long n) {
  if (n < 1024) return std::to_string(n) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = -1;
  while (v >= 1024 && u < 3) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string human_seconds(long long s) {
  char buf[32];
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else if (s < 86400)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  else
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
  return buf;
}

std::string utc_time(double seconds) {
  const auto whole = static_cast<std::time_t>(std::floor(seconds));
  const auto micros = static_cast<long>(std::lround((seconds - std::floor(seconds)) * 1e6));
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                std::min(micros, 999999L));
  return buf;
}

json::value decode_or_note(std::string_view bytes, std::string* why) {
  try {
    return decode_value(bytes);
  } catch (const std::exception& e) {
    if (why) *why = library_message(e);
    return json::object{{"undecodable", e.what()},
                        {"base64", redis_cache::codec::base64_encode(bytes)}};
  }
}

json::value args_or_note(std::string_view b64, const json::value* note, std::string* why) {
  json::value args;
  try {
    args = decode_args(b64);
  } catch (const std::exception& e) {
    if (why) *why = library_message(e);
    return json::object{{"undecodable", e.what()}, {"base64", b64}};
  }
  if (note && note->is_object() && args.is_array()) {
    const auto* schemas = note->as_object().if_contains("args");
    if (schemas && schemas->is_array() && schemas->as_array().size() == args.as_array().size()) {
      json::array out;
      for (std::size_t i = 0; i < args.as_array().size(); ++i)
        out.push_back(label(args.as_array()[i], schemas->as_array()[i]));
      return out;
    }
  }
  return args;
}

std::string clip(std::string_view text) {
  constexpr std::size_t keep = 80;
  if (text.size() <= keep) return std::string(text);
  std::size_t cut = keep;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;  // UTF-8
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " bytes)";
}

std::string_view library_message(const std::exception& e) {
  std::string_view m = e.what();
  if (m.starts_with("redis_cache: ")) m.remove_prefix(13);
  return m;
}

void out(const std::string& text) {
  std::cout << text << std::flush;
}

}  // namespace rc_cli
