// redis-cache CLI: one function per command; each returns the exit code.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "session.hpp"

namespace rc_cli {

int cmd_ls(Session& s);
int cmd_stats(Session& s);
int cmd_keys(Session& s, const std::string& ns, const std::string& match, std::size_t limit);
int cmd_get(Session& s, const std::string& key_or_ns, const std::optional<std::string>& args);
int cmd_fifo(Session& s, const std::string& ns);
int cmd_rm(Session& s, const std::string& ns, const std::optional<std::string>& args, bool yes);
int cmd_schema(Session& s, const std::string& ns);

}  // namespace rc_cli
