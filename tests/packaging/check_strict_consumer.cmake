# cmake -DCXX=<compiler> -DFLAGS=<a|b|c> -DSRC=<strict_consumer.cpp> -DOUT=<executable>
#       -DLIBS=<a|b|c> -P check_strict_consumer.cmake
# Compiles and links SRC with FLAGS (strict warnings, -Werror, redis_cache's headers by
# plain -I) against LIBS, then runs it: fails on any warning, link error or wrong result.
if(NOT CXX)
  message(FATAL_ERROR "no C++ compiler given: a clang++ >= 16 is needed for this test "
                      "(Debian 12: apt-get install clang-16, as tools/setup.sh does)")
endif()
string(REPLACE "|" ";" flags "${FLAGS}")
string(REPLACE "|" ";" libs "${LIBS}")
execute_process(COMMAND ${CXX} ${flags} ${SRC} -o ${OUT} ${libs}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${CXX} failed on ${SRC} (a warning in a public header fails this "
                      "test):\n${out}${err}")
endif()
execute_process(COMMAND ${OUT} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OUT} exited with ${rc}:\n${out}${err}")
endif()
message(STATUS "${out}")
