# Defines the imported target hiredis::hiredis (hiredis 0.14 ships no CMake target).
if(NOT TARGET hiredis::hiredis)
  find_path(REDIS_CACHE_HIREDIS_INCLUDE_DIR hiredis/hiredis.h)
  find_library(REDIS_CACHE_HIREDIS_LIBRARY NAMES hiredis)
  if(NOT REDIS_CACHE_HIREDIS_INCLUDE_DIR OR NOT REDIS_CACHE_HIREDIS_LIBRARY)
    message(FATAL_ERROR "redis_cache: hiredis not found (Debian: libhiredis-dev; run tools/setup.sh)")
  endif()
  add_library(hiredis::hiredis UNKNOWN IMPORTED)
  set_target_properties(hiredis::hiredis PROPERTIES
    IMPORTED_LOCATION ${REDIS_CACHE_HIREDIS_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${REDIS_CACHE_HIREDIS_INCLUDE_DIR})
endif()
