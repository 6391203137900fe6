// redis-cache CLI: finding the entry of a call by its arguments (get / rm --args). The
// key's arguments segment is rebuilt by the library (args_from_json) from --args and each
// schema version's note; a Codec::python key from --args given by name.
#pragma once

#include <string>
#include <vector>

#include "session.hpp"

namespace rc_cli {

/// One key the arguments may have.
struct Candidate {
  NsRef ref;
  std::string hex;  ///< schema segment ("" for a python key)
  std::string key;
  const json::value* note = nullptr;
};

/// --args: a JSON array of the arguments, or (Codec::python namespaces) an object of
/// them by name. Throws CliError(exit_usage) otherwise.
json::value parse_args(const std::string& text);

/// Every key the arguments may have: one per schema version (two where the version's note
/// does not say how a set or map is ordered: notes written before the library recorded
/// it), or the python key. text: --args as given; args: parse_args(text). `notes` keeps
/// the notes the candidates point into. Throws CliError(exit_usage) when the arguments fit
/// no version, naming each version's complaint.
std::vector<Candidate> candidates(Session& s, const std::vector<NsRef>& refs,
                                  const std::string& text, const json::value& args,
                                  std::vector<Note>& notes);

/// The candidates whose key exists.
std::vector<Candidate> present(Session& s, std::vector<Candidate> cands);

}  // namespace rc_cli
