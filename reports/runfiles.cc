// Runfile lookup (runfiles.h).
#include "reports/runfiles.h"

#include <cstdlib>

#include "engine/engine.h"

namespace strata {
namespace reports {
namespace {

std::string& ProgramPath() {
  static std::string path;
  return path;
}

}  // namespace

void SetProgramPath(const char* argv0) { ProgramPath() = argv0 != nullptr ? argv0 : ""; }

std::string RunfilePath(const std::string& relative) {
  if (FileExists(relative)) return relative;
  if (!ProgramPath().empty()) {
    const std::string in_tree = ProgramPath() + ".runfiles/strata/" + relative;
    if (FileExists(in_tree)) return in_tree;
  }
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY")) {
    const std::string in_ws = std::string(ws) + "/" + relative;
    if (FileExists(in_ws)) return in_ws;
  }
  return relative;
}

}  // namespace reports
}  // namespace strata
