// LSQ fake-quantization kernels (Esser et al., "Learned Step Size Quantization", ICLR 2020)
// on the uniform quantizer of the vertical-layering paper (Wu et al., TPAMI 2023, Eq. 1),
// with naive references:
//
//   r = v / s,   q = clip(round(r), -qn, qp),   v̂ = q · s                          (Eq. 1)
//   dv̂/dv = 1 if -qn <= r <= qp else 0                               (LSQ Eq. 5, STE)
//   dv̂/ds = round(r) - r if -qn <= r <= qp, -qn if r < -qn, qp if r > qp     (LSQ Eq. 3)
//
//   float y[n];  LsqForward(n, v, s, 8, 7, y);             // 4-bit signed
//   std::vector<double> partials(LsqBackwardPartials(n));
//   double sum = LsqBackward(n, v, dy, s, 8, 7, dv, /*accumulate=*/false, partials.data());
//   ds += g * sum;                                         // g = 1/sqrt(N qp), LSQ Sec. 2.2
//
// Rounding: half to even (IEEE roundTiesToEven, std::nearbyint in the default rounding
// mode), in every kernel here and in the integer path (int_conv.h) that consumes the codes.
// r = v / s is a true IEEE division, not v * (1/s), so fast and reference paths produce the
// same codes bit for bit. The clip test uses r itself (closed interval, as PyTorch's clamp
// and the engine's Clamp); Esser et al. write open intervals: the two differ only where r is
// exactly -qn or qp, where ReLU zeros (r = 0 = -qn) get a zero gradient from ReLU anyway.
//
// Contract: raw pointers, n elements, contiguous; s > 0 and finite (not checked: a diverged
// step gives meaningless but defined numbers, NaN propagates to v̂). Forward overwrites y.
// Kernels allocate nothing; they are internally parallel (ParallelFor) and bit-identical for
// any thread count: the step-gradient sum is taken over chunks of kLsqChunk elements fixed by
// n (each summed in double lanes in a fixed pattern: products of two floats are exact in
// double), combined in chunk order on one thread.
#ifndef STRATA_QUANT_KERNELS_LSQ_KERNELS_H_
#define STRATA_QUANT_KERNELS_LSQ_KERNELS_H_

#include <cstdint>

namespace strata {
namespace quant {
namespace kernels {

constexpr int64_t kLsqChunk = 1 << 14;

// y[i] = clip(round(v[i] / s), -qn, qp) * s.
void LsqForward(int64_t n, const float* v, float s, int32_t qn, int32_t qp, float* y);

// The codes q[i] of Eq. 1 as integers (NaN inputs give 0). The caller guarantees the range
// fits the type: qn <= 128, qp <= 127 for int8; qn == 0, qp <= 255 for uint8.
void LsqCodes(int64_t n, const float* v, float s, int32_t qn, int32_t qp, int8_t* q);
void LsqCodes(int64_t n, const float* v, float s, int32_t qn, int32_t qp, uint8_t* q);

// Doubles of scratch LsqBackward needs for n elements.
inline int64_t LsqBackwardPartials(int64_t n) { return (n + kLsqChunk - 1) / kLsqChunk; }

// One fused pass: dv[i] (= or += when accumulate) dy[i] * dv̂/dv, and returns the unscaled
// step gradient sum_i dy[i] * dv̂_i/ds (the caller multiplies by the gradient scale g).
// dv may be null (only the sum is wanted). partials: LsqBackwardPartials(n) doubles.
double LsqBackward(int64_t n, const float* v, const float* dy, float s, int32_t qn, int32_t qp,
                   float* dv, bool accumulate, double* partials);

// Naive references (scalar, one double sum in index order). Test oracles only; same contract.
void LsqForwardReference(int64_t n, const float* v, float s, int32_t qn, int32_t qp, float* y);
double LsqBackwardReference(int64_t n, const float* v, const float* dy, float s, int32_t qn,
                            int32_t qp, float* dv, bool accumulate);

}  // namespace kernels
}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_KERNELS_LSQ_KERNELS_H_
