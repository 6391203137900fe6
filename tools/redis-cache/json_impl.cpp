// Boost.JSON compiled header-only, exactly once in the tool.
#include <boost/json/src.hpp>
