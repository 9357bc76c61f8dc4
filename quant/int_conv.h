// The integer inference path of a quantized convolution: the codes of Eq. 1 (lsq.h) stored as
// int8/uint8, an exact int32 accumulation, and one float scale per output:
//
//   x̂ = q_x s_x,  ŵ = q_w s_w   =>   conv(x̂, ŵ) + b = s_w s_x · conv(q_x, q_w) + b
//
//   using namespace strata::quant;
//   const QuantRange wr = SignedRange(4), ar = UnsignedRange(4);
//   QuantizedTensor qw = QuantizeCodes(w, sw.item(), wr);   // once, at export
//   QuantizedTensor qx = QuantizeCodes(x, sa.item(), ar);   // per batch
//   Tensor y = IntConv2d(qx, qw, bias, {/*stride=*/1, /*padding=*/1, /*groups=*/1});
//
// Agreement with the fake-quantized float path Conv2d(LsqQuantize(x), LsqQuantize(w)) + b,
// per output (u = 2^-24, γ_n = n u / (1 - n u), D = (C/groups)·R·S,
// T = sum over the D terms of |q_x q_w|, an integer):
//   |IntConv2d - float path| <= γ_{D+5} · (s_w s_x T + |b|).
// Proof sketch: the float path sums D+1 terms (products of x̂ = q_x s_x (1+α), ŵ = q_w s_w (1+β),
// |α|, |β| <= u, and the bias) in some order: error <= γ_{D+2} (s_w s_x T + |b|) (Higham,
// "Accuracy and Stability of Numerical Algorithms", 2nd ed., §3.1, §4.2); the integer path is
// exact up to float(acc), the product s_w s_x and the final fma: error <= γ_3 (s_w s_x T + |b|).
// So the paths provably agree within one output step s_w s_x when γ_{D+5} (T + |b|/(s_w s_x))
// < 1; with T <= D Qn_w max(Qn_x, Qp_x) and no bias that is D <= 1669 for 2-bit codes, 371 for
// 4-bit, 20 for 8-bit (the bound is worst case: random 8-bit layers with D = 144 stay within
// 0.2 steps). With power-of-two steps, no bias and D Qn_w max(Qn_x, Qp_x) < 2^24 every float
// operation of both paths is exact: the outputs are equal. int_conv_test checks the bound per
// output and the exact case.
#ifndef STRATA_QUANT_INT_CONV_H_
#define STRATA_QUANT_INT_CONV_H_

#include <cstdint>
#include <vector>

#include "engine/engine.h"
#include "quant/lsq.h"

namespace strata {
namespace quant {

// The codes of a tensor quantized by Eq. 1 to at most 8 bits, v ≈ code · step.
struct QuantizedTensor {
  Shape shape;
  QuantRange range;
  float step = 1.f;
  // One byte per element: uint8 codes when range.qn == 0 (unsigned), else int8
  // (two's complement).
  std::vector<uint8_t> bytes;

  bool is_signed() const { return range.qn > 0; }
  int32_t code(int64_t i) const {
    return is_signed() ? int32_t(int8_t(bytes[i])) : int32_t(bytes[i]);
  }
};

// q = clip(round(v / step), -Qn, Qp), rounding as LsqQuantize. CHECKs that the range fits a
// byte (signed up to 8 bits, unsigned up to 8 bits) and that step is positive and finite.
QuantizedTensor QuantizeCodes(const Tensor& v, float step, QuantRange r);
// code · step: equal to LsqQuantize(v, step, r, g) of the same v (its -0 are +0 here).
Tensor Dequantize(const QuantizedTensor& q);

// y = s_w s_x conv(q_x, q_w) + bias with int32 accumulation (quant/kernels/int_conv.h).
//   x: (N, C, H, W) codes, signed or unsigned; w: (K, C/groups, R, S) signed codes;
//   bias: (K) or undefined -> (N, K, P, Q) float. No autograd (inference only).
Tensor IntConv2d(const QuantizedTensor& x, const QuantizedTensor& w, const Tensor& bias,
                 const Conv2dParams& p);

}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_INT_CONV_H_
