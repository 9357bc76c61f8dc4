#include "engine/parallel.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "engine/check.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace strata {
namespace {

int DefaultThreads() {
  if (const char* env = std::getenv("STRATA_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

int& ThreadCount() {
  static int count = [] {
    const int n = DefaultThreads();
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
    return n;
  }();
  return count;
}

}  // namespace

void SetNumThreads(int n) {
  CHECK_GE(n, 1) << "SetNumThreads";
  ThreadCount() = n;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int NumThreads() { return ThreadCount(); }

bool InParallelRegion() { return omp_in_parallel(); }

void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t max_parts = (n + grain - 1) / grain;
  const int parts = static_cast<int>(std::min<int64_t>(NumThreads(), max_parts));
  if (parts <= 1 || omp_in_parallel()) {
    fn(0, n);
    return;
  }
#pragma omp parallel for num_threads(parts) schedule(static, 1)
  for (int p = 0; p < parts; ++p) {
    const int64_t begin = n * p / parts;
    const int64_t end = n * (p + 1) / parts;
    if (begin < end) fn(begin, end);
  }
}

}  // namespace strata
