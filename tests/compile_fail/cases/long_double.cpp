// long double has no portable encoding.
// expect: long double
#include <redis_cache/codec/codec.hpp>
#include <map>
#include <string>
int main() {
  std::string out;
  redis_cache::codec::encode_value(std::map<int, long double>{}, out);
}
