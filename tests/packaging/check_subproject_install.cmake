# cmake -DBUILD_DIR=<consumer build> -DPREFIX=<empty dir> -P check_subproject_install.cmake
# Installs the add_subdirectory consumer and fails unless the app alone was installed:
# redis_cache as a sub-project installs no headers, library, CMake package or tool.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install of the consumer failed (${rc})")
endif()
if(NOT EXISTS "${PREFIX}/bin/consumer" AND NOT EXISTS "${PREFIX}/bin/consumer.exe")
  message(FATAL_ERROR "the consumer itself was not installed into ${PREFIX}/bin")
endif()
file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/*")
list(FILTER installed EXCLUDE REGEX "/consumer(\\.exe)?$")
if(installed)
  list(JOIN installed "\n  " list)
  message(FATAL_ERROR "installing the app also installed redis_cache's files:\n  ${list}")
endif()
message(STATUS "subproject install ok: the app alone")
