#include "engine/check.h"

#include <cstdio>
#include <cstdlib>

namespace strata {
namespace internal {

CheckFailure::CheckFailure(const char* file, int line, const std::string& what) {
  stream_ << file << ":" << line << ": " << what << " failed: ";
}

CheckFailure::~CheckFailure() {
  std::fprintf(stderr, "%s\n", stream_.str().c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace internal
}  // namespace strata
