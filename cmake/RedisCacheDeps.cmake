# Finds the libraries redis_cache builds against. See tools/setup.sh.
include(GNUInstallDirs)
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)   # header-only parts: PFR, Describe, Mp11, JSON (header mode)
find_package(OpenSSL 3 REQUIRED)    # TLS (rediss://): libssl-dev

include(${CMAKE_CURRENT_LIST_DIR}/RedisCacheFindHiredis.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/RedisCacheFindZstd.cmake)

# msgpack-cxx is header-only: system headers, or those tools/setup.sh unpacked
# into .deps/msgpack (Debian 12, where the package conflicts with Boost 1.81).
find_path(REDIS_CACHE_MSGPACK_INCLUDE_DIR msgpack.hpp
  HINTS ${CMAKE_CURRENT_LIST_DIR}/../.deps/msgpack/usr/include
  DOC "Directory holding msgpack.hpp (msgpack-cxx)")
if(NOT REDIS_CACHE_MSGPACK_INCLUDE_DIR)
  message(FATAL_ERROR "redis_cache: msgpack-cxx headers not found. Run tools/setup.sh, "
                      "or set REDIS_CACHE_MSGPACK_INCLUDE_DIR to the directory holding msgpack.hpp.")
endif()
add_library(redis_cache_msgpack INTERFACE)
target_include_directories(redis_cache_msgpack SYSTEM INTERFACE
  $<BUILD_INTERFACE:${REDIS_CACHE_MSGPACK_INCLUDE_DIR}>)
target_compile_definitions(redis_cache_msgpack INTERFACE MSGPACK_NO_BOOST MSGPACK_DEFAULT_API_VERSION=3)
if(REDIS_CACHE_MSGPACK_INCLUDE_DIR MATCHES "/\\.deps/")
  # Headers unpacked locally: installed alongside ours so installed consumers find them.
  set(REDIS_CACHE_MSGPACK_BUNDLED ON)
  target_include_directories(redis_cache_msgpack SYSTEM INTERFACE
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/redis_cache/third_party>)
else()
  set(REDIS_CACHE_MSGPACK_BUNDLED OFF)
endif()
