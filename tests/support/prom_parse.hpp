// Prometheus text exposition, parsed by Prometheus's own Python parser
// (tests/python/parse_metrics.py over prometheus_client), for the metrics tests:
// a test never trusts its own reading of the format.
#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace rc_test {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromText {
  std::map<std::string, std::string> families;  ///< family name -> type
  std::vector<PromSample> samples;

  /// The value of the sample with exactly these labels, if there is one.
  std::optional<double> get(const std::string& name,
                            const std::map<std::string, std::string>& labels) const {
    for (const auto& s : samples)
      if (s.name == name && s.labels == labels) return s.value;
    return std::nullopt;
  }
  /// Every sample of that name.
  std::vector<PromSample> all(const std::string& name) const {
    std::vector<PromSample> out;
    for (const auto& s : samples)
      if (s.name == name) out.push_back(s);
    return out;
  }
};

/// Runs a shell command; returns its exit status and stdout+stderr.
inline std::pair<int, std::string> run_shell(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  std::array<char, 4096> buf;
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline std::string unhex(const std::string& h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}

/// Parses the exposition in `file` with python3 `parser_script`; throws with the
/// parser's complaint when it refuses the text.
inline PromText parse_prom_file(const std::string& python, const std::string& parser_script,
                                const std::string& file) {
  const auto [status, out] = run_shell(python + " " + parser_script + " < '" + file + "'");
  if (status != 0) throw std::runtime_error("the Prometheus parser refused the text: " + out);
  PromText t;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const std::size_t end = std::min(out.find('\n', pos), out.size());
    const std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("F ", 0) == 0) {
      const auto sp = line.find(' ', 2);
      t.families[line.substr(2, sp - 2)] = line.substr(sp + 1);
    } else if (line.rfind("S ", 0) == 0) {
      PromSample s;
      const auto a = line.find(' ', 2), b = line.find(' ', a + 1);
      s.name = line.substr(2, a - 2);
      s.value = std::stod(line.substr(a + 1, b - a - 1));
      std::string rest = b == std::string::npos ? "" : line.substr(b + 1);
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string kv = rest.substr(0, comma);
        const auto eq = kv.find('=');
        s.labels[kv.substr(0, eq)] = unhex(kv.substr(eq + 1));
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
      }
      t.samples.push_back(std::move(s));
    } else if (!line.empty()) {
      throw std::runtime_error("unexpected parser output: " + line);
    }
  }
  return t;
}

/// Parses `text` (written to a temporary file first).
inline PromText parse_prom(const std::string& python, const std::string& parser_script,
                           const std::string& text) {
  char path[] = "/tmp/rc_metrics_XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) throw std::runtime_error("write failed");
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  try {
    PromText t = parse_prom_file(python, parser_script, path);
    ::unlink(path);
    return t;
  } catch (...) {
    ::unlink(path);
    throw;
  }
}

}  // namespace rc_test
