// Sum over a chosen set of axes of a contiguous row-major array, with a naive reference.
//
//   dims: the input shape (rank <= 8), reduce_mask: bit d set = sum over axis d.
//   out: the kept axes in order (prod of the kept dims floats). Overwrites out.
// Double accumulation in a fixed order (row-major over the reduced axes; when few outputs
// remain, fixed chunks of the reduced range are summed and combined in chunk order), so
// results are bit-identical for any thread count. Allocates nothing but a few per-call
// partials; internally parallel.
#ifndef STRATA_ENGINE_KERNELS_REDUCE_H_
#define STRATA_ENGINE_KERNELS_REDUCE_H_

#include <cstdint>

namespace strata {
namespace kernels {

constexpr int kMaxReduceRank = 8;

void ReduceSum(const int64_t* dims, int rank, uint32_t reduce_mask, const float* x, float* out);
void ReduceSumReference(const int64_t* dims, int rank, uint32_t reduce_mask, const float* x,
                        float* out);

}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_REDUCE_H_
