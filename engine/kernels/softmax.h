// Row-wise softmax, log-softmax and softmax cross-entropy over (M, K) arrays (K the class
// axis, contiguous), with the max subtracted for stability. Naive references beside them.
//
// Contract: forwards overwrite their outputs; backwards ACCUMULATE (+=) into dx.
// Rows are independent (parallel over M); each row is reduced in a fixed order, so results
// are bit-identical for any thread count. Allocate nothing.
#ifndef STRATA_ENGINE_KERNELS_SOFTMAX_H_
#define STRATA_ENGINE_KERNELS_SOFTMAX_H_

#include <cstdint>

namespace strata {
namespace kernels {

// y = exp(x - max) / sum exp(x - max), per row.
void SoftmaxForward(int64_t M, int64_t K, const float* x, float* y);
// dx += y * (dy - sum_k dy y), per row (y the forward output).
void SoftmaxBackward(int64_t M, int64_t K, const float* y, const float* dy, float* dx);
// y = x - max - log sum exp(x - max), per row.
void LogSoftmaxForward(int64_t M, int64_t K, const float* x, float* y);
// dx += dy - exp(y) * sum_k dy, per row (y the forward output).
void LogSoftmaxBackward(int64_t M, int64_t K, const float* y, const float* dy, float* dx);

// Mean over rows of -log softmax(x)[label[m]]; writes prob (M x K softmax) for the
// backward and returns the loss (double accumulation over rows in row order).
double CrossEntropyForward(int64_t M, int64_t K, const float* x, const int32_t* label, float* prob);
// dx += dloss * (prob - onehot(label)) / M.
void CrossEntropyBackward(int64_t M, int64_t K, const float* prob, const int32_t* label,
                          float dloss, float* dx);

// Double-precision references (test oracles).
void SoftmaxForwardReference(int64_t M, int64_t K, const float* x, float* y);
double CrossEntropyForwardReference(int64_t M, int64_t K, const float* x, const int32_t* label);

}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_SOFTMAX_H_
