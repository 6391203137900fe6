// Control: the same kind of code with cacheable types compiles.
#include <redis_cache/codec/codec.hpp>
#include <string>
#include <vector>
struct User {
  int id;
  std::string name;
  std::vector<int> v;
};
int main() {
  std::string out;
  redis_cache::codec::assert_cacheable<User>();
  redis_cache::codec::assert_cacheable<const User&>();
  redis_cache::codec::encode_value(User{}, out);
  redis_cache::codec::append_key_args(out, 1, "x", User{});
  return redis_cache::codec::decode_value<User>(out).id;
}
