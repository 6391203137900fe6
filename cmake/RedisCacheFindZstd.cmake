# Defines the imported target redis_cache::zstd (libzstd; Debian: libzstd-dev).
if(NOT TARGET redis_cache::zstd)
  find_path(REDIS_CACHE_ZSTD_INCLUDE_DIR zstd.h)
  find_library(REDIS_CACHE_ZSTD_LIBRARY NAMES zstd)
  if(NOT REDIS_CACHE_ZSTD_INCLUDE_DIR OR NOT REDIS_CACHE_ZSTD_LIBRARY)
    message(FATAL_ERROR "redis_cache: libzstd not found (Debian: libzstd-dev; run tools/setup.sh)")
  endif()
  add_library(redis_cache::zstd UNKNOWN IMPORTED)
  set_target_properties(redis_cache::zstd PROPERTIES
    IMPORTED_LOCATION ${REDIS_CACHE_ZSTD_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${REDIS_CACHE_ZSTD_INCLUDE_DIR})
endif()
