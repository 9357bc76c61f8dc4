// The hwsim binary; see cli.h for the flags.
#include <cstdlib>
#include <iostream>

#include "hwsim/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");  // set by `bazel run`
  return strata::hwsim::RunCli(args, cwd == nullptr ? "" : cwd, std::cout, std::cerr);
}
