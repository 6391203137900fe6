// A class with private state and no description: nothing to reflect.
// expect: specialize redis_cache::codec::adaptor
// expect: Opaque
#include <redis_cache/codec/codec.hpp>
#include <string>
class Opaque {
 public:
  explicit Opaque(int v) : v_(v) {}

 private:
  int v_;
};
int main() {
  std::string out;
  redis_cache::codec::encode_value(Opaque{1}, out);
}
