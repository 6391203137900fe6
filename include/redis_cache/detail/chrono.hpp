// redis_cache/detail/chrono.hpp — std::chrono's durations, time points and clocks for
// the public headers, which need nothing else of <chrono>.
//
// With libstdc++ (GCC 11 and later), <chrono> adds calendars, time zones and their
// formatting, which pull in <sstream> and the locale machinery: about 8% of what the
// umbrella header costs a translation unit. Its <bits/chrono.h> holds the durations,
// time points, clocks and the chrono_literals; other standard libraries get <chrono>.
// A file that uses more of std::chrono includes <chrono> itself, as it should anyway.
#pragma once

#include <version>  // defines __GLIBCXX__ with libstdc++

#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif
