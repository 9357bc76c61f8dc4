// Files from and to the outside world. Writes are atomic: bytes go to a temporary file in
// the same directory, are flushed, and the file is renamed over the target, so a reader
// never sees partial output (DESIGN.md, "Errors and bad input").
#ifndef STRATA_ENGINE_FILE_UTIL_H_
#define STRATA_ENGINE_FILE_UTIL_H_

#include <string>

#include "engine/status.h"

namespace strata {

StatusOr<std::string> ReadFile(const std::string& path);
Status WriteFileAtomic(const std::string& path, const std::string& bytes);
// mkdir -p.
Status MakeDirs(const std::string& path);
bool FileExists(const std::string& path);

// A path the user typed on a command line: a relative one is taken from the directory
// `bazel run` was called from (BUILD_WORKING_DIRECTORY) when there is one, else as given.
std::string UserPath(const std::string& path);
// The workspace root under `bazel run` (BUILD_WORKSPACE_DIRECTORY), else ".".
std::string WorkspaceRoot();

// SHA-256 of bytes, as 64 lowercase hex digits (FIPS 180-4).
std::string Sha256Hex(const void* data, size_t size);
inline std::string Sha256Hex(const std::string& bytes) {
  return Sha256Hex(bytes.data(), bytes.size());
}

}  // namespace strata

#endif  // STRATA_ENGINE_FILE_UTIL_H_
