// A non-const reference parameter: an output argument would not be restored.
// expect: non-const reference
#include <redis_cache/codec/codec.hpp>
#include <string>
template <class... Params>
void check_signature() {
  (redis_cache::codec::assert_cacheable<Params>(), ...);
}
int main() { check_signature<int, std::string&>(); }
