// redis_cache/codec/detail/type_name.hpp — compile-time names of types and functions.
//
// Parsed from __PRETTY_FUNCTION__ and normalized so gcc and clang agree:
// "{anonymous}" (gcc) and "(anonymous namespace)" (clang) become "(anonymous)",
// any other brace becomes a parenthesis, and a leading '&' is dropped.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace redis_cache::codec::detail {

template <class T>
constexpr const char* pretty_type() {
  return __PRETTY_FUNCTION__;
}
template <auto F>
constexpr const char* pretty_value() {
  return __PRETTY_FUNCTION__;
}

/// The text after "<param> = " up to the closing ']' (or "; " gcc appends for aliases).
constexpr std::string_view extract_name(std::string_view pretty, std::string_view param) {
  const std::size_t at = pretty.find(param);
  if (at == std::string_view::npos) return pretty;  // unknown compiler: whole signature
  std::string_view s = pretty.substr(at + param.size());
  std::size_t end = s.rfind(']');
  if (end == std::string_view::npos) end = s.size();
  s = s.substr(0, end);
  // gcc: "[with T = X; std::string_view = ...]" never occurs with our const char* helpers,
  // but be safe.
  if (const std::size_t semi = s.find("; "); semi != std::string_view::npos) s = s.substr(0, semi);
  return s;
}

inline constexpr std::string_view anon_gcc = "{anonymous}";
inline constexpr std::string_view anon_clang = "(anonymous namespace)";
inline constexpr std::string_view anon = "(anonymous)";

/// Calls emit(char) for each character of the normalized form of s.
template <class Emit>
constexpr void normalize_each(std::string_view s, Emit emit) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == '&' || s[i] == ' ')) ++i;
  while (i < s.size()) {
    const std::string_view rest = s.substr(i);
    if (rest.starts_with(anon_gcc) || rest.starts_with(anon_clang)) {
      for (char c : anon) emit(c);
      i += rest.starts_with(anon_gcc) ? anon_gcc.size() : anon_clang.size();
      continue;
    }
    char c = s[i++];
    if (c == '{') c = '(';
    if (c == '}') c = ')';
    emit(c);
  }
}

constexpr std::size_t normalized_size(std::string_view s) {
  std::size_t n = 0;
  normalize_each(s, [&](char) { ++n; });
  return n;
}

template <std::size_t N>
constexpr std::array<char, N> normalized(std::string_view s) {
  std::array<char, N> a{};
  std::size_t n = 0;
  normalize_each(s, [&](char c) { a[n++] = c; });
  return a;
}

#if defined(__clang__)
inline constexpr std::string_view type_param = "[T = ";
inline constexpr std::string_view value_param = "[F = ";
#else
inline constexpr std::string_view type_param = "[with T = ";
inline constexpr std::string_view value_param = "[with auto F = ";
#endif

template <class T>
struct type_name_holder {
  static constexpr std::string_view raw = extract_name(pretty_type<T>(), type_param);
  static constexpr auto text = normalized<normalized_size(raw)>(raw);
};

template <auto F>
struct value_name_holder {
  static constexpr std::string_view raw = extract_name(pretty_value<F>(), value_param);
  static constexpr auto text = normalized<normalized_size(raw)>(raw);
};

/// Normalized name of T, e.g. "app::User", "(anonymous)::Key".
template <class T>
constexpr std::string_view type_name() {
  return {type_name_holder<T>::text.data(), type_name_holder<T>::text.size()};
}

/// Normalized name of the entity F designates, e.g. "app::Repo::load".
template <auto F>
constexpr std::string_view value_name() {
  return {value_name_holder<F>::text.data(), value_name_holder<F>::text.size()};
}

}  // namespace redis_cache::codec::detail
