// Vertical-layered weights (Wu et al., "Vertical Layering of Quantized Neural Networks for
// Heterogeneous Inference", TPAMI 2023, Secs. 3.2, 4.1; ALGORITHMS.md §2): the once-QAT
// quantizer as one differentiable op, its integer codes for export, initial steps, and
// the Heaviside straight-through bit of the ascending/co-training baselines (Sec. 3.3).
//
//   N = source_bits (highest width), b = bits (b <= N), k = N - b
//   q_N = clip(round(w / s_w), -2^(N-1), 2^(N-1) - 1)            source quantization (Eq. 1)
//   q_b = floor(q_N / 2^k): the top b bits of q_N's two's complement       downsampling (Eq. 5)
//   ŵ_b = s_b (q_b + z_b),  s_b = 2^k s_w                                             (Eq. 3)
//   z_b = ½ (1 - 2^(b-N)) with positive compensation, else 0                           (Eq. 6)
//
// Worked example: one shared source weight, every width of the paper's 2..4-bit model.
//
//   Tensor w = ...;                                             // FP source weights
//   Tensor s_w = Tensor::Full({1}, InitSourceStep(w, 4)).set_requires_grad(true);
//   const float g = VerticalGradScale(w.numel(), 4);
//   for (int b = 2; b <= 4; ++b) {
//     Tensor w_b = VerticalQuantize(w, s_w, /*source_bits=*/4, b, /*compensation=*/true, g);
//     ... forward at width b with w_b, loss L_b ...
//   }
//   std::vector<int32_t> q2 = VerticalCodes(w, s_w.item(), 4, 2);  // basic layer, for export
//
// Straight-through backward (ALGORITHMS.md §2; round and floor pass the gradient through):
//   dŵ_b/dw   = 1 if -2^(N-1) <= w/s_w <= 2^(N-1) - 1, else 0
//   dŵ_b/ds_w = 2^k (q_b + z_b) - w/s_w inside that range, 2^k (q_b + z_b) when clipped,
//               times the gradient scale g (Decision: LSQ's g at the source width N,
//               VerticalGradScale). It is the exact gradient of ŵ_b with the rounding and
//               flooring residuals held constant.
// Rounding is half to even, as LSQ's (quant/kernels/lsq_kernels.h): at b = N without
// compensation this op's forward is LSQ's N-bit quantizer.
//
// Results are bit-identical for any thread count (quant/kernels/vertical_kernels.h).
#ifndef STRATA_QUANT_VERTICAL_H_
#define STRATA_QUANT_VERTICAL_H_

#include <cstdint>
#include <vector>

#include "engine/engine.h"

namespace strata {
namespace quant {

// Widths: 1 <= bits <= source_bits <= kMaxVerticalBits (CHECKed: programmer errors).
constexpr int kMaxVerticalBits = 16;

// The vertical-layering paper's widths (seed 001 Sec. 6): a 2-bit basic layer b0 and a
// 4-bit source N, so one model serves W/A 2/2, 3/3 and 4/4. Every default of b0 and N in
// strata (recipe options, the model file, configs whose fields are 0) is these.
constexpr int kPaperBasicBits = 2;
constexpr int kPaperSourceBits = 4;

// z_b in units of s_b (Eq. 6): ½ (1 - 2^(b-N)) when compensation, else 0. The paper's
// N = 4: 3/8, 1/4, 0 for b = 2, 3, 4.
float CompensationOffset(int source_bits, int bits, bool compensation);

// LSQ's step-gradient scale at the source width: 1 / sqrt(numel (2^(N-1) - 1)). N >= 2.
float VerticalGradScale(int64_t numel, int source_bits);

// ŵ_b of every element of w (any shape); s_w: the layer's one learnable step (numel 1).
// Records VerticalQuantizeKind(); the backward accumulates into w's and s_w's gradients
// as documented above. s_w > 0 is the caller's business: where w/s_w is not finite the
// output is NaN (a diverging run stays visible rather than crashing).
Tensor VerticalQuantize(const Tensor& w, const Tensor& s_w, int source_bits, int bits,
                        bool compensation, float grad_scale);

// The integer codes q_b (row-major, numel(w) of them, in [-2^(b-1), 2^(b-1) - 1]) of the
// same computation; the codes of a non-finite w/s_w saturate (NaN -> lowest).
std::vector<int32_t> VerticalCodes(const Tensor& w, float s_w, int source_bits, int bits);

// ŵ_b = 2^(N-b) s_w (q_b + z_b) of given codes, shaped `shape`: bit-identical to
// VerticalQuantize's forward for the codes it produced.
Tensor VerticalDequantize(const std::vector<int32_t>& codes, const Shape& shape, float s_w,
                          int source_bits, int bits, bool compensation);

// Initial steps (ALGORITHMS.md §2). Source: s_w = 2 mean|w| / sqrt(2^N - 1) (the paper's).
// Activation of width b: s_a(b) = max|a| / (2^b - 1) on the first batch (Decision: the
// paper's 2^(i+1) - 1 read with i = b - 1). Both are 0 for an all-zero input and NaN if
// the input holds a NaN; the caller decides what to do then.
float InitSourceStep(const Tensor& w, int source_bits);
float InitActivationStep(const Tensor& a, int bits);

// The baselines' enhance bit e = 1[r > 0] (the paper's sign(b_i^r) read as 1/0), with a
// straight-through backward (Bengio et al. 2013, the paper's [10]):
//   kIdentity (default): dr = de.   kClipped: dr = de · 1[|r| <= 1] (Hubara et al. 2016).
// Records HeavisideSteKind().
enum class HeavisideGrad { kIdentity, kClipped };
Tensor HeavisideSte(const Tensor& r, HeavisideGrad grad = HeavisideGrad::kIdentity);

// The op kinds the two ops record ("vertical_quantize", "heaviside_ste"; registered with
// the engine).
OpKind VerticalQuantizeKind();
OpKind HeavisideSteKind();

}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_VERTICAL_H_
