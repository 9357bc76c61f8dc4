// 2-D convolution kernels (cross-correlation, as PyTorch's Conv2d), with naive references.
//
// Dimension letters: N batch, C input channels, H W input size, K output channels
// (filters), R S kernel size, P Q output size, G groups.
//   x: (N, C, H, W)   w: (K, C/G, R, S)   bias: (K) or null   y: (N, K, P, Q); contiguous.
//   P = (H + 2*pad_h - R) / stride_h + 1,  Q = (W + 2*pad_w - S) / stride_w + 1.
// Depthwise is G == C == K.
//
// Contract:
//  * Forward overwrites y. BackwardData and BackwardWeight ACCUMULATE (+=) into dx, dw, dbias.
//  * Kernels allocate nothing: the caller passes `workspace` of at least
//    Conv2dWorkspaceFloats(shape) floats (may be 0 -> nullptr allowed). The size includes
//    per-thread scratch for NumThreads() threads at the time of the call: ask again after
//    SetNumThreads() raises the count. Its contents on entry do not matter.
//  * Bit-identical results for any thread count: every output element is produced by one
//    thread with a fixed accumulation order; reductions over the batch (dw, dbias) are
//    split into fixed chunks that do not depend on the thread count.
//  * Thread-safe for distinct outputs and workspaces; internally parallel (ParallelFor).
//
// Algorithms (conv2d_internal.h): AVX2 direct kernels (conv2d_direct.h) for 3x3-type layers
// up to 128 channels per group, im2col + Gemm for wider layers and 1x1 convolutions.
#ifndef STRATA_ENGINE_KERNELS_CONV2D_H_
#define STRATA_ENGINE_KERNELS_CONV2D_H_

#include <cstdint>

namespace strata {
namespace kernels {

struct Conv2dShape {
  int N = 1, C = 1, H = 1, W = 1;  // input
  int K = 1, R = 1, S = 1;         // filters
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  int groups = 1;

  int P() const { return (H + 2 * pad_h - R) / stride_h + 1; }
  int Q() const { return (W + 2 * pad_w - S) / stride_w + 1; }
  int64_t XSize() const { return int64_t(N) * C * H * W; }
  int64_t WSize() const { return int64_t(K) * (C / groups) * R * S; }
  int64_t YSize() const { return int64_t(N) * K * P() * Q(); }
  // MACs of one forward pass.
  int64_t Macs() const { return int64_t(N) * K * P() * Q() * (C / groups) * R * S; }
};

// Floats of scratch the three fast kernels below need for this shape (max over them).
int64_t Conv2dWorkspaceFloats(const Conv2dShape& s);

void Conv2dForward(const Conv2dShape& s, const float* x, const float* w, const float* bias,
                   float* y, float* workspace);
// dx += conv_transpose(dy, w); with accumulate = false, dx = conv_transpose(dy, w) and dx
// need not be initialised (saves zeroing a fresh gradient and reading it back).
void Conv2dBackwardData(const Conv2dShape& s, const float* dy, const float* w, float* dx,
                        float* workspace, bool accumulate = true);
// dw += correlate(x, dy); dbias += sum over N, P, Q of dy (dbias may be null).
void Conv2dBackwardWeight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                          float* dbias, float* workspace);

// Naive seven-loop references, double accumulation. Test oracles only. Same overwrite /
// accumulate contract as above.
void Conv2dForwardReference(const Conv2dShape& s, const float* x, const float* w, const float* bias,
                            float* y);
void Conv2dBackwardDataReference(const Conv2dShape& s, const float* dy, const float* w, float* dx);
void Conv2dBackwardWeightReference(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                                   float* dbias);

}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_CONV2D_H_
