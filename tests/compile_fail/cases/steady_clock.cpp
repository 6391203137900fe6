// steady_clock time points mean nothing in another process.
// expect: system_clock
#include <chrono>
#include <redis_cache/codec/codec.hpp>
#include <string>
int main() {
  std::string out;
  redis_cache::codec::encode_value(std::chrono::steady_clock::now(), out);
}
