// Pooling kernels over (N, C, H, W), with naive references.
//   Max and average pooling: window R x S, stride, zero padding (padding never wins a max;
//   average divides by the full window R*S, PyTorch's count_include_pad=True).
//   Global average pooling: (N, C, H, W) -> (N, C).
// Forward overwrites; backward ACCUMULATES into dx. Max pooling saves, per output, the flat
// input index (h*W + w) of its argmax (first maximum in scan order) for the backward.
#ifndef STRATA_ENGINE_KERNELS_POOL_H_
#define STRATA_ENGINE_KERNELS_POOL_H_

#include <cstdint>

namespace strata {
namespace kernels {

struct PoolShape {
  int N = 1, C = 1, H = 1, W = 1;
  int R = 1, S = 1;
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  int P() const { return (H + 2 * pad_h - R) / stride_h + 1; }
  int Q() const { return (W + 2 * pad_w - S) / stride_w + 1; }
};

void MaxPool2dForward(const PoolShape& s, const float* x, float* y, int32_t* argmax);
void MaxPool2dBackward(const PoolShape& s, const float* dy, const int32_t* argmax, float* dx);
void AvgPool2dForward(const PoolShape& s, const float* x, float* y);
void AvgPool2dBackward(const PoolShape& s, const float* dy, float* dx);
void GlobalAvgPoolForward(int N, int C, int HW, const float* x, float* y);
void GlobalAvgPoolBackward(int N, int C, int HW, const float* dy, float* dx);

void MaxPool2dForwardReference(const PoolShape& s, const float* x, float* y, int32_t* argmax);
void AvgPool2dForwardReference(const PoolShape& s, const float* x, float* y);

}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_POOL_H_
