// The uniform quantizer (vertical-layering paper, Wu et al., TPAMI 2023, Eq. 1) and LSQ, its
// learned-step-size training (Esser et al., "Learned Step Size Quantization", ICLR 2020):
//
//   r = v / s,   q = clip(round(r), -Qn, Qp),   v̂ = q · s                           (Eq. 1)
//
// Worked example: a 4-bit LSQ conv (weights signed, activations after ReLU unsigned).
//
//   using namespace strata;
//   using namespace strata::quant;
//   STRATA_RETURN_IF_ERROR(ValidateBits(plan.bits, "plan.bits"));  // user input -> Status
//   const QuantRange wr = SignedRange(4), ar = UnsignedRange(4);   // {8, 7} and {0, 15}
//   STRATA_ASSIGN_OR_RETURN(float sw0, LsqInitStep(w, wr));        // from the FP weights
//   STRATA_ASSIGN_OR_RETURN(float sa0, LsqInitStep(x0, ar));       // from the first batch
//   Tensor sw = Tensor::Full({1}, sw0).set_requires_grad(true);    // learnable steps
//   Tensor sa = Tensor::Full({1}, sa0).set_requires_grad(true);
//   Tensor w_hat = LsqQuantize(w, sw, wr, LsqWeightGradScale(w, wr));
//   Tensor x_hat = LsqQuantize(x, sa, ar, LsqActivationGradScale(x, ar));
//   Tensor y = Conv2d(x_hat, w_hat, Tensor(), p);
//   // Integer inference of the same layer: int_conv.h.
//
// Decisions:
//  * Rounding is half to even (IEEE roundTiesToEven, std::nearbyint; PyTorch's torch.round),
//    everywhere in quant/ including the integer path. (The engine's RoundSte rounds half away
//    from zero; LsqQuantize does not use it.) r is a true IEEE division v / s.
//  * b = 1 signed is {Qn, Qp} = {1, 0}: codes {-1, 0}, the formula of Eq. 1 taken literally.
//    It is the sign bit of any wider two's-complement code (downsampling, Eq. 5, gives
//    q_1 = floor(q_N / 2^(N-1)) in {-1, 0}). Qp = 0 would make LSQ's g = 1/sqrt(N Qp) and
//    initial step 2 mean|v| / sqrt(Qp) infinite; both use max(Qp, 1) instead (= Qn there).
//  * The clip test is on r with a closed interval (PyTorch's clamp, the engine's Clamp):
//    dv̂/dv = 1 for -Qn <= r <= Qp. Esser et al. write open intervals; they differ only where
//    r is exactly -Qn or Qp (e.g. ReLU zeros at r = 0 = -Qn, whose gradient ReLU zeroes anyway).
#ifndef STRATA_QUANT_LSQ_H_
#define STRATA_QUANT_LSQ_H_

#include <cstdint>
#include <string>

#include "engine/engine.h"

namespace strata {
namespace quant {

constexpr int kMinBits = 1;
constexpr int kMaxBits = 16;

// Codes lie in [-qn, qp].
struct QuantRange {
  int32_t qn = 0;
  int32_t qp = 0;
};

// OK for 1 <= bits <= 16, else InvalidArgument naming the field and the value:
//   "field 'plan.bits': value 17 must be in [1, 16]".
Status ValidateBits(int bits, const std::string& field = "bits");

// Signed (weights, or activations that can be negative): {2^(b-1), 2^(b-1) - 1}.
// Unsigned (activations after ReLU): {0, 2^b - 1}. CHECK-fail outside [1, 16] bits
// (validate user input with ValidateBits first).
QuantRange SignedRange(int bits);
QuantRange UnsignedRange(int bits);

// LSQ's step-gradient scale g = 1/sqrt(n · max(Qp, 1)) (Esser et al. Sec. 2.2): n is the
// number of weights of the layer, or the number of features of one example of an activation.
float LsqGradScale(int64_t n, QuantRange r);
float LsqWeightGradScale(const Tensor& w, QuantRange r);      // n = w.numel()
float LsqActivationGradScale(const Tensor& x, QuantRange r);  // n = x.numel() / x.dim(0)

// LSQ's initial step s = 2 · mean(|v|) / sqrt(max(Qp, 1)) (Esser et al. Sec. 2.1), for
// weights (the FP model's) and activations (the first batch's). The mean is a fixed-order
// double sum (thread-count independent). FailedPrecondition when the result is not a positive
// finite number (v all zeros, or holding Inf/NaN), naming the shape and the value.
StatusOr<float> LsqInitStep(const Tensor& v, QuantRange r);

// LSQ fake quantization: v̂ = clip(round(v / s), -Qn, Qp) · s (Eq. 1), one fused pass each way.
//   v: any shape. step: one element (learnable). grad_scale: g above.
// Backward (straight-through round, Esser et al. Eq. 3 and 5), r = v / s:
//   dv += dy                      where -Qn <= r <= Qp, else 0
//   ds += g · sum_i dy_i · (round(r_i) - r_i  inside,  -Qn  for r_i < -Qn,  Qp  for r_i > Qp)
// The step sum is a fixed-order double reduction: bit-identical for any thread count.
// s should be positive and finite; a diverged step is not checked (NaN propagates to v̂).
// Recorded as LsqQuantizeKind().
Tensor LsqQuantize(const Tensor& v, const Tensor& step, QuantRange r, float grad_scale);
// The op kind LsqQuantize records ("lsq_quantize", registered with the engine).
OpKind LsqQuantizeKind();

}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_LSQ_H_
