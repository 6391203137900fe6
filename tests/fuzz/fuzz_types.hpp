// Types the fuzz target decodes into: a typical cached result (PFR aggregate nesting a
// described struct, containers, optional, variant, enum, chrono).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <variant>
#include <vector>

#include <boost/describe.hpp>

namespace rc_fuzz {

enum class Color { red, green, blue };
BOOST_DESCRIBE_ENUM(Color, red, green, blue)

struct Address {
  std::string city;
  std::optional<int> zip;
  bool operator==(const Address&) const = default;
};
BOOST_DESCRIBE_STRUCT(Address, (), (city, zip))

struct Item {
  std::int64_t id;
  std::string name;
  std::vector<std::string> tags;
  std::optional<double> score;
  std::map<std::string, std::int32_t> counts;
  Color color;
  std::variant<std::monostate, std::uint64_t, std::string, Address> extra;
  std::chrono::milliseconds ttl;
  std::unordered_set<std::int16_t> flags;
  std::vector<Address> addresses;
};

}  // namespace rc_fuzz
