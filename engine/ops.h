// Differentiable ops. Each op checks shapes (a CHECK naming the op and both shapes),
// allocates its output from the storage pool, calls a kernel and, when an input requires
// a gradient and grad mode is on, records its backward (autograd.h) saving exactly what
// that backward needs. Outputs are new tensors; inputs are never modified.
//
// Dimension letters: N batch, C channels, H W input size, K output channels/classes,
// R S window, P Q output size.
#ifndef STRATA_ENGINE_OPS_H_
#define STRATA_ENGINE_OPS_H_

#include <cstdint>
#include <vector>

#include "engine/tensor.h"

namespace strata {

// ---- layers (ops_nn.cc) ----------------------------------------------------------------

struct Conv2dParams {
  int stride = 1, padding = 0, groups = 1;
};
// x: (N, C, H, W), w: (K, C/groups, R, S), bias: (K) or undefined -> (N, K, P, Q).
// Depthwise: groups == C == K.
Tensor Conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& p);

enum class Act { kNone = 0, kRelu = 1, kRelu6 = 2 };

struct BatchNormParams {
  bool training = true;
  float momentum = 0.1f;  // PyTorch's: running = (1 - m) running + m batch
  float eps = 1e-5f;
  Act act = Act::kNone;  // fused activation after the affine step
};
// x: (N, C, H, W) or (N, C); gamma, beta: (C) or undefined (no affine);
// running_mean/var: (C), updated in place in training (skipped when undefined).
// Training normalizes by batch statistics (biased variance) and the backward
// differentiates through them; evaluation uses the running statistics.
Tensor BatchNorm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                   const Tensor& running_mean, const Tensor& running_var, const BatchNormParams& p);

Tensor Relu(const Tensor& x);
Tensor Relu6(const Tensor& x);  // min(max(x, 0), 6)

struct Pool2dParams {
  int kernel = 2, stride = 2, padding = 0;
};
// (N, C, H, W) -> (N, C, P, Q). Average pooling divides by the full window.
Tensor MaxPool2d(const Tensor& x, const Pool2dParams& p);
Tensor AvgPool2d(const Tensor& x, const Pool2dParams& p);
// (N, C, H, W) -> (N, C).
Tensor GlobalAvgPool(const Tensor& x);

// x: (N, IN), w: (OUT, IN), bias: (OUT) or undefined -> (N, OUT) = x w^T + bias.
Tensor Linear(const Tensor& x, const Tensor& w, const Tensor& bias);

// ---- elementwise (ops_elementwise.cc) ----------------------------------------------------
// Binary ops broadcast NumPy-style (shapes right-aligned; a dimension of 1 or a missing
// one stretches), e.g. (N, C, H, W) * (1, C, 1, 1) for per-channel factors or a (1)
// step size against a whole tensor. The gradient of a broadcast input is summed back.
Tensor Add(const Tensor& a, const Tensor& b);
Tensor Sub(const Tensor& a, const Tensor& b);
Tensor Mul(const Tensor& a, const Tensor& b);
Tensor Div(const Tensor& a, const Tensor& b);
Tensor Scale(const Tensor& x, float s);      // s * x
Tensor AddScalar(const Tensor& x, float c);  // x + c
Tensor Neg(const Tensor& x);
Tensor Sqrt(const Tensor& x);  // gradient 0.5 / sqrt(x)
Tensor Abs(const Tensor& x);   // gradient sign(x), 0 at 0
Tensor Square(const Tensor& x);
Tensor Exp(const Tensor& x);
Tensor Log(const Tensor& x);
// min(max(x, lo), hi); gradient 1 where lo <= x <= hi, else 0 (the LSQ clip mask).
Tensor Clamp(const Tensor& x, float lo, float hi);
// Straight-through estimators: forward rounds (half away from zero, std::round; use
// RoundSte for LSQ's round(v/s)) or floors; backward passes dy through unchanged.
Tensor RoundSte(const Tensor& x);
Tensor FloorSte(const Tensor& x);
// Identity forward; backward multiplies the gradient by g (LSQ's step-size gradient scale
// g = 1/sqrt(N Qp), Esser et al. 2020 Sec. 2.2). Not the true gradient by design.
Tensor GradScale(const Tensor& x, float g);
// Inverted dropout: y = x * m / (1 - p), m_i = [Philox(seed, stream).Uniform(i) >= p].
// The mask is a pure function of (seed, stream, i): recomputed in the backward, never
// stored. Identity when !training or p == 0.
Tensor Dropout(const Tensor& x, float p, bool training, uint64_t seed, uint64_t stream);

// ---- reductions, softmax, losses, shapes (ops_reduce.cc) ---------------------------------
// Sums (or means) over `axes` (negative counts from the end; empty = all axes). keepdim
// keeps reduced axes as size 1. Double accumulation, fixed order.
Tensor Sum(const Tensor& x, const std::vector<int>& axes = {}, bool keepdim = false);
Tensor Mean(const Tensor& x, const std::vector<int>& axes = {}, bool keepdim = false);
// Over the last axis of (M, K) (any leading shape).
Tensor Softmax(const Tensor& x);
Tensor LogSoftmax(const Tensor& x);
// logits: (N, K), labels: N indices in [0, K) -> scalar mean over the batch of
// -log softmax(logits)[label].
Tensor CrossEntropy(const Tensor& logits, const std::vector<int32_t>& labels);
// Same data, new shape (one dimension may be -1). Shares storage.
Tensor Reshape(const Tensor& x, const Shape& shape);
// (N, ...) -> (N, prod(...)).
Tensor Flatten(const Tensor& x);

}  // namespace strata

#endif  // STRATA_ENGINE_OPS_H_
