// detail::Mutex (detail/mutex.hpp): a std::mutex in the storage the header reserves.
#include <redis_cache/detail/mutex.hpp>

#include <mutex>
#include <new>

namespace redis_cache::detail {

namespace {
std::mutex& of(unsigned char* storage) noexcept {
  return *std::launder(reinterpret_cast<std::mutex*>(storage));
}
}  // namespace

Mutex::Mutex() noexcept {
  static_assert(sizeof(std::mutex) <= sizeof(storage_) && alignof(std::mutex) <= alignof(void*));
  ::new (static_cast<void*>(storage_)) std::mutex();
}
Mutex::~Mutex() {
  of(storage_).~mutex();
}
void Mutex::lock() {
  of(storage_).lock();
}
void Mutex::unlock() noexcept {
  of(storage_).unlock();
}

}  // namespace redis_cache::detail
