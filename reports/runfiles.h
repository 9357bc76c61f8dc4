// Where a table binary finds its data files (paper numbers, presets, the train binary).
//
//   const std::string path = RunfilePath("reports/presets/quick.pbtxt");
//
// `bazel run` starts a binary in its runfiles tree, so workspace-relative paths work as
// they are; a binary started by hand (bazel-bin/reports/vl_table1) finds them in
// <argv[0]>.runfiles/strata/ once SetProgramPath(argv[0]) was called.
#ifndef STRATA_REPORTS_RUNFILES_H_
#define STRATA_REPORTS_RUNFILES_H_

#include <string>

namespace strata {
namespace reports {

void SetProgramPath(const char* argv0);

// `relative` (a workspace-relative path) as it exists: in the current directory, the
// binary's runfiles tree, or the workspace under `bazel run`; unchanged when none has it
// (the caller's open then fails naming it).
std::string RunfilePath(const std::string& relative);

}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_RUNFILES_H_
