// The Prometheus text exposition format, version 0.0.4 (also valid OpenMetrics
// where the two agree): family headers, samples, escaping. Writes only; what to
// write is metrics.cpp's business.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace redis_cache::detail::exposition {

/// "# HELP <name> <help>\n# TYPE <name> <type>\n" (help escaped: \\ and \n).
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help);

/// Appends `name="value"` (with a leading comma unless `labels` is empty) to a
/// label list: the value escaped (\\, \", \n) and any invalid UTF-8 replaced by
/// U+FFFD, so any string yields a valid label.
void add_label(std::string& labels, std::string_view name, std::string_view value);

/// "<name>{<labels>} <value>\n" (no braces when labels is empty).
void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value);
/// The same with a floating-point value (shortest round-trip form).
void sample(std::string& out, std::string_view name, std::string_view labels, double value);

}  // namespace redis_cache::detail::exposition
