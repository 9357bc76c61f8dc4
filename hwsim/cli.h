// The hwsim command line (the contract outside checks use):
//
//   bazel run -c opt //hwsim:hwsim -- --config=<file.cfg|.pbtxt|preset>
//       --topology=<file.csv|.pbtxt> --out=<dir> [--bits=<plan>] [--gemm]
//       [--stall_model=22f88b1|d78b477|v2.0.2] [--word_bits=8] [--pe_packing]
//       [--reference=<scalesim dir>]
//
// Writes the three SCALE-Sim reports and summary.json into <dir>. Exit 0 on success, 2 on bad
// input or flags (with a message naming the file, line/field and value), 3 when --reference
// was given and some report field differs (COMPARISON.csv in <dir> lists them).
#ifndef STRATA_HWSIM_CLI_H_
#define STRATA_HWSIM_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace strata::hwsim {

// `args` excludes the program name; relative paths are taken relative to `cwd` if not empty.
int RunCli(const std::vector<std::string>& args, const std::string& cwd, std::ostream& out,
           std::ostream& err);

}  // namespace strata::hwsim

#endif  // STRATA_HWSIM_CLI_H_
