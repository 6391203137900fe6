// libFuzzer target: the URL parsers. Any input gives a config or a
// ConfigError whose message is non-empty — never a crash, never UB.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "client/sentinel_url.hpp"
#include "client/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  try {
    auto cfg = redis_cache::detail::parse_url(url);
    if (cfg.port < 0 || cfg.port > 65535) std::abort();
    (void)cfg.endpoint();
  } catch (const redis_cache::ConfigError& e) {
    if (*e.what() == '\0') std::abort();
  }
  try {
    auto cfg = redis_cache::detail::parse_cluster_url(url);
    (void)cfg;
  } catch (const redis_cache::ConfigError& e) {
    if (*e.what() == '\0') std::abort();
  }
  try {
    auto cfg = redis_cache::detail::parse_sentinel_url(url);
    if (cfg.sentinels.empty() || cfg.master_name.empty()) std::abort();
  } catch (const redis_cache::ConfigError& e) {
    if (*e.what() == '\0') std::abort();
  }
  return 0;
}
