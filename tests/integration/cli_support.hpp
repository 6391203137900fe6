// Running the real redis-cache binary (RC_CLI_PATH) against a private server, for the CLI
// tests (cli_test.cpp, cli_scan_test.cpp): its exit code, stdout and stderr.
#pragma once

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/redis_server.hpp"

#ifndef RC_CLI_PATH
#error "RC_CLI_PATH (the redis-cache binary) must be defined by tests/CMakeLists.txt"
#endif

namespace rc_cli_test {

struct CliRun {
  int code = -1;
  std::string out, err;
  boost::json::value json() const {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(out, ec);
    EXPECT_FALSE(ec) << "stdout is not JSON: " << out << "\nstderr: " << err;
    return v;
  }
};

/// s quoted for sh.
inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Runs the real binary against `server` (--url first unless with_url is false), with
/// stdin from /dev/null and stdout / stderr to files: neither is a terminal.
inline CliRun run_cli(const rc_test::RedisServer& server, const std::vector<std::string>& args,
                      bool with_url = true) {
  std::string cmd = std::string("env -u REDIS_URL ") + quote(RC_CLI_PATH);
  if (with_url) cmd += " --url " + quote(server.url());
  for (const auto& a : args) cmd += " " + quote(a);
  const std::string out = server.dir() + "/cli.out", err = server.dir() + "/cli.err";
  cmd += " >" + quote(out) + " 2>" + quote(err) + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace rc_cli_test
