// A union: which member is active is unknown.
// expect: union
// expect: Number
#include <redis_cache/codec/codec.hpp>
#include <string>
union Number {
  int i;
  float f;
};
int main() {
  std::string out;
  redis_cache::codec::encode_value(Number{1}, out);
}
