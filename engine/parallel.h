// Threading for strata: one persistent OpenMP pool, and loops whose results are
// bit-identical for any thread count.
//
// Rules every kernel follows:
//  * ParallelFor splits [0, n) into contiguous ranges; each output element must be written
//    by exactly one range with a fixed summation order inside it.
//  * Reductions never depend on the split: use FixedChunks() to cut the index space into
//    chunks whose boundaries depend only on n (never on the thread count), reduce each
//    chunk in order, then combine the chunk partials in chunk order on one thread.
#ifndef STRATA_ENGINE_PARALLEL_H_
#define STRATA_ENGINE_PARALLEL_H_

#include <cstdint>
#include <functional>

namespace strata {

// Threads used by strata's own kernels (OpenMP) and by OpenBLAS. Default: the
// STRATA_THREADS environment variable, else the number of cores.
void SetNumThreads(int n);
int NumThreads();

// Calls fn(begin, end) over a partition of [0, n) into at most NumThreads() contiguous
// ranges of at least `grain` elements. Blocks until all ranges are done. Not reentrant:
// a ParallelFor inside a ParallelFor runs its body serially.
void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Number of fixed chunks of size `chunk` covering n (the last may be short).
inline int64_t NumChunks(int64_t n, int64_t chunk) { return (n + chunk - 1) / chunk; }

// True inside a ParallelFor body (kernels then stay serial and call single-threaded BLAS).
bool InParallelRegion();

}  // namespace strata

#endif  // STRATA_ENGINE_PARALLEL_H_
