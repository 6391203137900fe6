// The sorts of canonical encoding (codec/detail/sort.hpp) and their per-thread scratch
// (codec/detail/encode.hpp), out of the public headers.
#include <redis_cache/codec/detail/encode.hpp>
#include <redis_cache/codec/detail/sort.hpp>
#include <redis_cache/codec/python.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace redis_cache::codec {

namespace detail {

namespace {

template <class Span>
void sort_spans_of(const char* data, Span* spans, std::size_t n) {
  std::sort(spans, spans + n, [data](const Span& a, const Span& b) {
    return std::string_view(data + a.first, a.second) < std::string_view(data + b.first, b.second);
  });
}

template <class Key>
std::vector<std::size_t> sorted_order_of(const std::vector<Key>& keys) {
  std::vector<std::size_t> order(keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&keys](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  return order;
}

}  // namespace

std::vector<std::unique_ptr<sort_level>>& sort_levels() noexcept {
  thread_local std::vector<std::unique_ptr<sort_level>> levels;
  return levels;
}

sort_level& sort_scratch(std::size_t depth) {
  auto& levels = sort_levels();
  while (levels.size() <= depth) levels.push_back(std::make_unique<sort_level>());
  return *levels[depth];
}

std::size_t sort_scratch_capacity() noexcept {
  std::size_t n = 0;
  for (const auto& l : sort_levels())
    n += l->bytes.capacity() + l->spans.capacity() * sizeof(l->spans[0]);
  return n;
}

void sort_spans(const char* data, std::pair<std::uint32_t, std::uint32_t>* spans, std::size_t n) {
  sort_spans_of(data, spans, n);
}
void sort_spans(const char* data, std::pair<std::size_t, std::size_t>* spans, std::size_t n) {
  sort_spans_of(data, spans, n);
}

std::vector<std::size_t> sorted_order(const std::vector<std::string_view>& keys) {
  return sorted_order_of(keys);
}
std::vector<std::size_t> sorted_order(const std::vector<long long>& keys) {
  return sorted_order_of(keys);
}
std::vector<std::size_t> sorted_order(const std::vector<unsigned long long>& keys) {
  return sorted_order_of(keys);
}

}  // namespace detail

std::vector<std::size_t> python_arg_order(const std::vector<std::string>& names) {
  std::vector<std::size_t> order(names.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });
  return order;
}

}  // namespace redis_cache::codec
