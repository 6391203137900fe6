// A string_view result would dangle once the reply buffer is gone.
// expect: not results
#include <redis_cache/codec/codec.hpp>
#include <string_view>
int main() { return static_cast<int>(redis_cache::codec::decode_value<std::string_view>("").size()); }
