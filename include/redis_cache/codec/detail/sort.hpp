// redis_cache/codec/detail/sort.hpp — the sorts of canonical encoding (sets, unordered
// maps, Python's sorted argument names), compiled once in src/codec_sort.cpp: the
// public headers need no <algorithm>, which every user's translation unit would parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace redis_cache::codec::detail {

/// Sorts n spans (offset, length) of data by the bytes they cover.
void sort_spans(const char* data, std::pair<std::uint32_t, std::uint32_t>* spans, std::size_t n);
void sort_spans(const char* data, std::pair<std::size_t, std::size_t>* spans, std::size_t n);

/// The indices 0..keys.size()-1 sorted by keys[i] (strings by their bytes).
std::vector<std::size_t> sorted_order(const std::vector<std::string_view>& keys);
std::vector<std::size_t> sorted_order(const std::vector<long long>& keys);
std::vector<std::size_t> sorted_order(const std::vector<unsigned long long>& keys);

}  // namespace redis_cache::codec::detail
