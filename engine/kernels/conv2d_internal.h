// Private to engine/kernels: the two convolution algorithms behind conv2d.h and the work
// split they share. Tests call the algorithms directly to check both on every shape.
//
// Work split (both algorithms):
//  * Forward and backward-data hand images to `slots` threads one at a time; each slot owns
//    a private scratch area of the workspace. Every output element is computed within one
//    image with an order that does not depend on the split.
//  * Backward-weight splits the batch into WeightChunks(s) chunks fixed by the shape. A chunk
//    is reduced in image order into its own partial dw (+ dbias) in the workspace; then
//    CombineWeightChunks adds the partials to dw in chunk order.
#ifndef STRATA_ENGINE_KERNELS_CONV2D_INTERNAL_H_
#define STRATA_ENGINE_KERNELS_CONV2D_INTERNAL_H_

#include <cstdint>

#include "engine/kernels/conv2d.h"
#include "engine/kernels/dynamic_for.h"

namespace strata {
namespace kernels {
namespace internal {

enum class ConvAlgo { kDirect, kGemm };

// CHECKs positive sizes, divisibility by groups and a non-empty output; `op` names the caller.
void CheckConv2dShape(const Conv2dShape& s, const char* op);
// Direct kernels for small channel counts, im2col + GEMM for large ones.
ConvAlgo ChooseConvAlgo(const Conv2dShape& s);

// Slots (threads) used for a batch of N: min(NumThreads(), N).
int NumSlots(int N);
// Calls fn(slot, i, i + 1) for every i in [0, n), handing items to the `slots` threads
// dynamically (dynamic_for.h); slot < slots names the calling thread's scratch.
template <typename Fn>
void ForEachSlot(int slots, int64_t n, const Fn& fn) {
  DynamicFor(slots, n, [&](int slot, int64_t i) { fn(slot, i, i + 1); });
}
// Batch chunks of the weight-gradient reduction: a function of the shape only.
int WeightChunks(const Conv2dShape& s);
// Floats of one chunk's partial: WSize() + K (dbias).
int64_t WeightPartialFloats(const Conv2dShape& s);
// dw += sum of the chunk partials (in chunk order), dbias likewise when non-null.
// Partials are `stride` floats apart.
void CombineWeightChunks(const Conv2dShape& s, const float* partials, int chunks, float* dw,
                         float* dbias, int64_t stride);
// Adds sum over the chunk's images of dy to partial_bias (K floats, overwritten).
void ChunkBiasGradient(const Conv2dShape& s, const float* dy, int n_begin, int n_end,
                       float* partial_bias);

int64_t GemmWorkspaceFloats(const Conv2dShape& s, int slots);
void GemmForward(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y,
                 float* workspace);
// accumulate: dx += (else =), as Conv2dBackwardData.
void GemmBackwardData(const Conv2dShape& s, const float* dy, const float* w, float* dx,
                      float* workspace, bool accumulate);
void GemmBackwardWeight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                        float* dbias, float* workspace);

int64_t DirectWorkspaceFloats(const Conv2dShape& s, int slots);
void DirectForward(const Conv2dShape& s, const float* x, const float* w, const float* bias,
                   float* y, float* workspace);
void DirectBackwardData(const Conv2dShape& s, const float* dy, const float* w, float* dx,
                        float* workspace, bool accumulate);
void DirectBackwardWeight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                          float* dbias, float* workspace);

}  // namespace internal
}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_CONV2D_INTERNAL_H_
