// Vertical-layering kernels (Wu et al., "Vertical Layering of Quantized Neural Networks for
// Heterogeneous Inference", TPAMI 2023, Sec. 4.1) with naive references: one fused pass of
// source quantization, downsampling and positive compensation, its straight-through
// backward, the integer codes, and the Heaviside bit of the ascending/co-training baselines.
//
//   k = N - b (bits dropped), r = w / s_w
//   q_N = clip(round(r), -2^(N-1), 2^(N-1) - 1)                  source quantization (Eq. 1)
//   q_b = floor(q_N / 2^k)        (arithmetic right shift; top b bits of q_N)      (Eq. 5)
//   ŵ_b = s_b (q_b + z_b),  s_b = 2^k s_w                                        (Eq. 3)
//   z_b = ½ (1 - 2^-k) with positive compensation, else 0                         (Eq. 6)
//   dŵ_b/dw   = 1 if -2^(N-1) <= r <= 2^(N-1) - 1, else 0                (STE, Sec. 4.2)
//   dŵ_b/ds_w = 2^k (q_b + z_b) - r inside, 2^k (q_b + z_b) when clipped
//
//   VerticalParams p{/*source_bits=*/4, /*bits=*/2, /*step=*/0.05f, /*offset=*/0.375f};
//   VerticalForward(p, n, w, y);                              // ŵ_2
//   std::vector<double> partials(VerticalBackwardPartials(n));
//   double sum = VerticalBackward(p, n, w, dy, dw, /*accumulate=*/true, partials.data());
//   ds_w += g * sum;                       // g = 1/sqrt(n (2^(N-1) - 1)): LSQ scale at N
//
// Rounding: half to even (std::nearbyint), as quant/kernels/lsq_kernels.h, so at b = N
// without compensation the forward equals LSQ's N-bit quantizer bit for bit. r is a true
// IEEE division w / s_w; q_b + z_b and 2^k s_w are exact in float (N <= 16), so ŵ_b is one
// rounding of the exact product and fast and reference paths agree bit for bit.
//
// Contract: raw pointers, n elements, contiguous; 1 <= bits <= source_bits <= 16. s_w > 0
// is not checked (a diverging run is a result, not a crash): where r is not finite the
// forward writes NaN, and the codes saturate (NaN -> -2^(N-1)). Forward/codes overwrite
// their output; the backward writes (=) or accumulates (+=) dw as asked. Kernels allocate
// nothing, are internally parallel (ParallelFor) and bit-identical for any thread count:
// the step-gradient terms (products of two floats, exact in double) are summed in double
// in index order within chunks of kVerticalChunk elements fixed by n, and the chunk sums
// are combined in chunk order on one thread.
#ifndef STRATA_QUANT_KERNELS_VERTICAL_KERNELS_H_
#define STRATA_QUANT_KERNELS_VERTICAL_KERNELS_H_

#include <cstdint>

namespace strata {
namespace quant {
namespace kernels {

constexpr int64_t kVerticalChunk = 1 << 14;
constexpr int kMaxSourceBits = 16;

struct VerticalParams {
  int32_t source_bits = 4;  // N
  int32_t bits = 2;         // b
  float step = 1.f;         // s_w
  float offset = 0.f;       // z_b in units of s_b: ½(1 - 2^(b-N)) or 0 (Eq. 6)
};

// ŵ_b for each w[i] (overwrites y).
void VerticalForward(const VerticalParams& p, int64_t n, const float* w, float* y);
// q_b for each w[i], in [-2^(b-1), 2^(b-1) - 1] (overwrites q).
void VerticalCodes(const VerticalParams& p, int64_t n, const float* w, int32_t* q);
// ŵ_b = 2^k s_w (q[i] + z_b) from given codes (the inference side of the model file).
void VerticalDequantize(const VerticalParams& p, int64_t n, const int32_t* q, float* y);

// Doubles of scratch VerticalBackward needs for n elements.
inline int64_t VerticalBackwardPartials(int64_t n) {
  return (n + kVerticalChunk - 1) / kVerticalChunk;
}
// One fused pass: dw[i] (= or += when accumulate) dy[i] dŵ_b/dw (dw may be null), and
// returns the unscaled step gradient sum_i dy[i] dŵ_b,i/ds_w.
double VerticalBackward(const VerticalParams& p, int64_t n, const float* w, const float* dy,
                        float* dw, bool accumulate, double* partials);

// Heaviside bit e = 1[r > 0] (the enhance layer of the baselines, Sec. 3.3) and its
// straight-through backward: dr = de, or de · 1[|r| <= 1] when clipped.
void HeavisideForward(int64_t n, const float* r, float* e);
void HeavisideBackward(int64_t n, const float* r, const float* de, bool clipped, float* dr,
                       bool accumulate);

// Naive references (scalar; codes by repeated floor-halving in double, Eq. 5 read
// literally; one double sum in index order). Test oracles only; same contract.
void VerticalForwardReference(const VerticalParams& p, int64_t n, const float* w, float* y);
void VerticalCodesReference(const VerticalParams& p, int64_t n, const float* w, int32_t* q);
double VerticalBackwardReference(const VerticalParams& p, int64_t n, const float* w,
                                 const float* dy, float* dw, bool accumulate);

}  // namespace kernels
}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_KERNELS_VERTICAL_KERNELS_H_
