// A type with a msgpack-cxx adaptor of its own is encoded by msgpack-cxx, which only
// <redis_cache/codec/msgpack_native.hpp> brings in; without it the error says so.
// expect: include <redis_cache/codec/msgpack_native.hpp>
#include <msgpack.hpp>
#include <redis_cache/codec/codec.hpp>
#include <string>
struct Legacy {
  int x;
  MSGPACK_DEFINE(x)
};
int main() {
  std::string out;
  redis_cache::codec::encode_value(Legacy{1}, out);
}
