#include "quant/int_conv.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace quant {
namespace {

struct Layer {
  const char* name;
  int N, C, H, K, R, stride, padding, groups;
};
const Layer kLayers[] = {
    {"1x1 stride 2", 2, 16, 9, 32, 1, 2, 0, 1},    {"3x3 stride 2", 2, 16, 10, 32, 3, 2, 1, 1},
    {"3x3", 2, 16, 8, 16, 3, 1, 1, 1},             {"depthwise 3x3", 2, 16, 9, 16, 3, 1, 1, 16},
    {"depthwise 3x3 stride 2", 1, 8, 11, 8, 3, 2, 1, 8}, {"grouped 3x3", 2, 8, 7, 12, 3, 1, 1, 4},
};

Tensor Random(const Shape& shape, uint64_t seed, float lo, float hi) {
  const Philox rng(seed, 13);
  Tensor t = Tensor::Empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = lo + (hi - lo) * rng.Uniform(i);
  return t;
}

struct Case {
  Tensor x, w, bias;
  QuantRange xr, wr;
  float sx, sw;
  Conv2dParams p;
};

// x spreads over both clip regions of its range, w over the signed range and beyond.
Case MakeCase(const Layer& l, int bits, bool signed_x, float sx, float sw, bool bias,
              uint64_t seed) {
  Case c;
  c.xr = signed_x ? SignedRange(bits) : UnsignedRange(bits);
  c.wr = SignedRange(bits);
  c.sx = sx, c.sw = sw;
  c.x = Random({l.N, l.C, l.H, l.H}, seed, -1.2f * sx * (c.xr.qn + 1), 1.2f * sx * c.xr.qp);
  c.w = Random({l.K, l.C / l.groups, l.R, l.R}, seed + 1, -1.2f * sw * c.wr.qn, 1.2f * sw * c.wr.qp);
  if (bias) c.bias = Random({l.K}, seed + 2, -2.f, 2.f);
  c.p.stride = l.stride, c.p.padding = l.padding, c.p.groups = l.groups;
  return c;
}

// Conv2d(LsqQuantize(x), LsqQuantize(w)) + bias, and the integer path.
Tensor FloatPath(const Case& c) {
  const Tensor xh = LsqQuantize(c.x, Tensor::Full({1}, c.sx), c.xr, 1.f);
  const Tensor wh = LsqQuantize(c.w, Tensor::Full({1}, c.sw), c.wr, 1.f);
  return Conv2d(xh, wh, c.bias, c.p);
}
Tensor IntPath(const Case& c) {
  return IntConv2d(QuantizeCodes(c.x, c.sx, c.xr), QuantizeCodes(c.w, c.sw, c.wr), c.bias, c.p);
}

// T[n,k,p,q] = sum over the conv window of |q_x q_w| (naive).
std::vector<double> AbsProducts(const QuantizedTensor& x, const QuantizedTensor& w,
                                const Conv2dParams& p) {
  const int N = int(x.shape[0]), C = int(x.shape[1]), H = int(x.shape[2]), W = int(x.shape[3]);
  const int K = int(w.shape[0]), Cg = int(w.shape[1]), R = int(w.shape[2]), S = int(w.shape[3]);
  const int P = (H + 2 * p.padding - R) / p.stride + 1, Q = (W + 2 * p.padding - S) / p.stride + 1;
  const int Kg = K / p.groups;
  std::vector<double> t;
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k)
      for (int oh = 0; oh < P; ++oh)
        for (int ow = 0; ow < Q; ++ow) {
          int64_t sum = 0;
          for (int c = 0; c < Cg; ++c)
            for (int r = 0; r < R; ++r)
              for (int s = 0; s < S; ++s) {
                const int ih = oh * p.stride - p.padding + r, iw = ow * p.stride - p.padding + s;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const int64_t xi = ((int64_t(n) * C + k / Kg * Cg + c) * H + ih) * W + iw;
                sum += std::abs(x.code(xi) * w.code(((int64_t(k) * Cg + c) * R + r) * S + s));
              }
          t.push_back(double(sum));
        }
  return t;
}

TEST(IntConvTest, CodesDequantizeToTheFakeQuantizedValues) {
  for (const QuantRange r : {SignedRange(1), SignedRange(2), SignedRange(8), UnsignedRange(4),
                             UnsignedRange(8)}) {
    const float s = 0.0137f;
    const Tensor v = Random({1000}, 5, -1.3f * s * (r.qn + 1), 1.3f * s * (r.qp + 1));
    const QuantizedTensor q = QuantizeCodes(v, s, r);
    const Tensor fake = LsqQuantize(v, Tensor::Full({1}, s), r, 1.f);
    const Tensor deq = Dequantize(q);
    for (int64_t i = 0; i < v.numel(); ++i) {
      ASSERT_GE(q.code(i), -r.qn);
      ASSERT_LE(q.code(i), r.qp);
      ASSERT_EQ(deq.data()[i], fake.data()[i]) << "qn " << r.qn << " qp " << r.qp << " i " << i;
    }
  }
}

// Power-of-two steps, no bias, D Qn_w max(Qn_x, Qp_x) < 2^24: every float operation of the
// float path is exact (int_conv.h), so the two paths give equal outputs.
TEST(IntConvTest, EqualsTheFloatPathExactlyForPowerOfTwoSteps) {
  uint64_t seed = 0;
  for (const Layer& l : kLayers) {
    for (const int bits : {2, 4, 8}) {
      for (const bool signed_x : {false, true}) {
        const Case c = MakeCase(l, bits, signed_x, std::ldexp(1.f, -5), std::ldexp(1.f, -7),
                                /*bias=*/false, seed += 3);
        const Tensor f = FloatPath(c), q = IntPath(c);
        ASSERT_EQ(f.shape(), q.shape());
        for (int64_t i = 0; i < f.numel(); ++i) {
          ASSERT_EQ(q.data()[i], f.data()[i]) << l.name << " " << bits << " bits"
                                              << (signed_x ? " signed x" : "") << " i " << i;
        }
      }
    }
  }
}

// Any steps, with bias: |Δ| <= γ_{D+5} (s_w s_x T + |b|) per output (int_conv.h).
TEST(IntConvTest, WithinTheProvedBoundOfTheFloatPath) {
  const double u = std::ldexp(1.0, -24);
  uint64_t seed = 100;
  for (const Layer& l : kLayers) {
    for (const int bits : {2, 4, 8}) {
      for (const bool signed_x : {false, true}) {
        const Case c = MakeCase(l, bits, signed_x, 0.0371f, 0.00913f, /*bias=*/true, seed += 3);
        const Tensor f = FloatPath(c), q = IntPath(c);
        const std::vector<double> t = AbsProducts(QuantizeCodes(c.x, c.sx, c.xr),
                                                  QuantizeCodes(c.w, c.sw, c.wr), c.p);
        const int D = (l.C / l.groups) * l.R * l.R, PQ = int(f.numel() / (l.N * l.K));
        const double gamma = (D + 5) * u / (1 - (D + 5) * u), step = double(c.sw) * c.sx;
        double worst = 0;  // largest |Δ| in output steps
        for (int64_t i = 0; i < f.numel(); ++i) {
          const double b = std::fabs(c.bias.data()[i / PQ % l.K]);
          const double delta = std::fabs(double(q.data()[i]) - f.data()[i]);
          ASSERT_LE(delta, gamma * (step * t[i] + b))
              << l.name << " " << bits << " bits" << (signed_x ? " signed x" : "") << " i " << i;
          worst = std::max(worst, delta / step);
        }
        // Not implied by the bound at 8 bits (D > 20), but what these layers show (<= 0.2).
        EXPECT_LE(worst, 1.0) << l.name << " " << bits << " bits: |Δ| in output steps";
      }
    }
  }
}

}  // namespace
}  // namespace quant
}  // namespace strata
