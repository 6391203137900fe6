// The typical cached value of the benchmarks: 7 fields with strings and a vector.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

struct User {
  std::int64_t id;
  std::string name;
  std::string email;
  std::vector<std::string> tags;
  int age;
  bool active;
  double score;
};

inline User load_user(std::int64_t id) {
  std::string name = "user-";  // (not "user-" + ...: gcc 12 -O3 warns falsely, -Wrestrict)
  name += std::to_string(id);
  return {id, std::move(name), "user@example.com", {"admin", "beta", "eu"}, 42, true, 3.5};
}
