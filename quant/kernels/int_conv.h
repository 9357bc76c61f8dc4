// Integer 2-D convolution for quantized inference, with a naive reference: activation codes
// (uint8 for unsigned ranges, int8 for signed) times int8 weight codes, accumulated exactly in
// int32, then scaled once per output (Eq. 1 of the vertical-layering paper: x̂ = q_x s_x,
// ŵ = q_w s_w, so conv(x̂, ŵ) = s_x s_w conv(q_x, q_w)):
//
//   y[n,k,p,q] = fma(float(acc[n,k,p,q]), scale, bias[k]),   scale = s_w · s_x,
//   acc = sum_{c,r,s} x[n, g·C/G + c, p·stride_h - pad_h + r, q·stride_w - pad_w + s] · w[k,c,r,s]
//
// Dimension letters: N batch, C input channels, H W input size, K output channels, R S
// kernel size, P Q output size, G groups, D = (C/G)·R·S the depth of one output's sum.
//   x: (N, C, H, W) codes   w: (K, C/G, R, S) codes   bias: (K) or null   y: (N, K, P, Q) float
// Padding reads code 0, which is value 0 for the symmetric (zero-point-free) quantizer.
// Depthwise is G == C == K.
//
//   IntConv2dShape s;  s.N = 128, s.C = s.K = 16, s.H = s.W = 32, s.R = s.S = 3, s.pad_h = 1 ...
//   std::vector<int32_t> ws(IntConv2dWorkspaceInts(s));
//   IntConv2dForward(s, x_codes, w_codes, s_w * s_x, bias, y, ws.data());
//
// Algorithm: direct, no im2col. Per (image, group, chunk of 16 output rows) the input rows
// are packed as int16 pairs of adjacent channels (columns split by stride phase, so the 8
// pixels of one tap are contiguous), then 4 output channels x 2 vectors of 8 pixels
// accumulate over the taps (channel pair, r, s) with _mm256_madd_epi16, which multiplies 16
// int16 pairs and adds each pair into an int32 lane.
//
// Contract: overwrites y; allocates nothing (workspace of IntConv2dWorkspaceInts(s) int32,
// which counts per-thread scratch for NumThreads() at the time of the call); internally
// parallel. Integer sums are exact, so y is bit-identical for any thread count and equal to
// the reference bit for bit. Overflow-free for D <= 65536 (|acc| <= D·128·255 < 2^31; CHECKed).
#ifndef STRATA_QUANT_KERNELS_INT_CONV_H_
#define STRATA_QUANT_KERNELS_INT_CONV_H_

#include <cstdint>

namespace strata {
namespace quant {
namespace kernels {

struct IntConv2dShape {
  int N = 1, C = 1, H = 1, W = 1;  // input
  int K = 1, R = 1, S = 1;         // filters
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  int groups = 1;

  int P() const { return (H + 2 * pad_h - R) / stride_h + 1; }
  int Q() const { return (W + 2 * pad_w - S) / stride_w + 1; }
  int D() const { return (C / groups) * R * S; }
  int64_t XSize() const { return int64_t(N) * C * H * W; }
  int64_t WSize() const { return int64_t(K) * D(); }
  int64_t YSize() const { return int64_t(N) * K * P() * Q(); }
  int64_t Macs() const { return int64_t(N) * K * P() * Q() * D(); }
};

int64_t IntConv2dWorkspaceInts(const IntConv2dShape& s);

void IntConv2dForward(const IntConv2dShape& s, const uint8_t* x, const int8_t* w, float scale,
                      const float* bias, float* y, int32_t* workspace);
void IntConv2dForward(const IntConv2dShape& s, const int8_t* x, const int8_t* w, float scale,
                      const float* bias, float* y, int32_t* workspace);

// Naive seven loops, int64 accumulation, the same final fma. Test oracles only.
void IntConv2dForwardReference(const IntConv2dShape& s, const uint8_t* x, const int8_t* w,
                               float scale, const float* bias, float* y);
void IntConv2dForwardReference(const IntConv2dShape& s, const int8_t* x, const int8_t* w,
                               float scale, const float* bias, float* y);

}  // namespace kernels
}  // namespace quant
}  // namespace strata

#endif  // STRATA_QUANT_KERNELS_INT_CONV_H_
