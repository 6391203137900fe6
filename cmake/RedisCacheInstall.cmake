# install(EXPORT) + config + version files, so that after `cmake --install`
# another project can `find_package(redis_cache)` and link redis_cache::redis_cache.
include(CMakePackageConfigHelpers)
set(REDIS_CACHE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/redis_cache)

install(TARGETS redis_cache redis_cache_msgpack EXPORT redis_cache-targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/redis_cache DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(REDIS_CACHE_MSGPACK_BUNDLED)
  install(DIRECTORY ${REDIS_CACHE_MSGPACK_INCLUDE_DIR}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/redis_cache/third_party)
endif()
install(EXPORT redis_cache-targets NAMESPACE redis_cache:: DESTINATION ${REDIS_CACHE_CMAKE_DIR})
export(EXPORT redis_cache-targets NAMESPACE redis_cache::
       FILE ${PROJECT_BINARY_DIR}/redis_cache-targets.cmake)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/redis_cache-config.cmake.in
  ${PROJECT_BINARY_DIR}/redis_cache-config.cmake INSTALL_DESTINATION ${REDIS_CACHE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/redis_cache-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/redis_cache-config.cmake
              ${PROJECT_BINARY_DIR}/redis_cache-config-version.cmake
              ${CMAKE_CURRENT_LIST_DIR}/RedisCacheFindHiredis.cmake
              ${CMAKE_CURRENT_LIST_DIR}/RedisCacheFindZstd.cmake
        DESTINATION ${REDIS_CACHE_CMAKE_DIR})
