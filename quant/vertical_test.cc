// The vertical-layering ops against independent oracles: two's-complement bit slicing for the
// codes (exhaustive, N = 2..8), the sample mean of the downsampling error with and without
// compensation (Eq. 6), the autograd of the engine's own STE ops composed as Eqs. 1/3/5/6,
// finite differences (of the real forward where codes are locally constant, and of the
// forward with its rounding residuals frozen), and thread-count bit-identity.
#include "quant/vertical.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace quant {
namespace {

// The top b bits of q's N-bit two's-complement pattern, sign-extended: pure bit slicing,
// independent of the floor division the op uses.
int32_t TopBits(int32_t q, int n_bits, int b) {
  const uint32_t pattern = static_cast<uint32_t>(q) & ((1u << n_bits) - 1);
  const uint32_t top = pattern >> (n_bits - b);
  return top >= (1u << (b - 1)) ? static_cast<int32_t>(top) - (1 << b) : static_cast<int32_t>(top);
}

Tensor Step(float s) { return Tensor::Full({1}, s).set_requires_grad(true); }

bool SameBits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.numel() * sizeof(float)) == 0;
}

// Weights (m + f) s with every integer m in [lo - 3, hi + 3] and f in {-0.25, 0, 0.25}, so
// that q_N is known exactly: clip(m).
struct Sweep {
  std::vector<float> w;
  std::vector<int32_t> q_n;
};
Sweep EveryCode(int n_bits, float s) {
  const int lo = -(1 << (n_bits - 1)), hi = (1 << (n_bits - 1)) - 1;
  Sweep sw;
  for (int m = lo - 3; m <= hi + 3; ++m) {
    for (double f : {-0.25, 0.0, 0.25}) {
      sw.w.push_back(static_cast<float>((m + f) * s));
      sw.q_n.push_back(std::min(std::max(m, lo), hi));
    }
  }
  return sw;
}

TEST(VerticalTest, EveryCodeOfEveryWidthIsTheTopBitsOfTheSourceCode) {
  for (int n_bits = 2; n_bits <= 8; ++n_bits) {
    for (float s : {0.0625f, 0.0371f}) {
      const Sweep sw = EveryCode(n_bits, s);
      const int64_t n = static_cast<int64_t>(sw.w.size());
      const Tensor w = Tensor::FromVector({n}, sw.w);
      std::vector<int32_t> previous;
      for (int b = 1; b <= n_bits; ++b) {
        const std::vector<int32_t> q = VerticalCodes(w, s, n_bits, b);
        for (bool comp : {false, true}) {
          const Tensor y = VerticalQuantize(w, Step(s), n_bits, b, comp, 1.f);
          const Tensor y2 = VerticalDequantize(q, {n}, s, n_bits, b, comp);
          ASSERT_TRUE(SameBits(y, y2)) << "N=" << n_bits << " b=" << b;
          const double z = comp ? 0.5 * (1 - std::ldexp(1.0, b - n_bits)) : 0.0;
          for (int64_t i = 0; i < n; ++i) {
            const float expected = static_cast<float>(std::ldexp(double(s), n_bits - b) *
                                                      (TopBits(sw.q_n[i], n_bits, b) + z));
            ASSERT_EQ(y.data()[i], expected) << "N=" << n_bits << " b=" << b << " w=" << sw.w[i];
          }
        }
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_EQ(q[i], TopBits(sw.q_n[i], n_bits, b))
              << "N=" << n_bits << " b=" << b << " s=" << s << " q_N=" << sw.q_n[i];
          if (b == 1) continue;
          // Enhance bit e_b = q_b - 2 q_{b-1} (Eq. 3) is bit N-b of the pattern.
          const int32_t e = q[i] - 2 * previous[i];
          ASSERT_EQ(e,
                    static_cast<int32_t>((static_cast<uint32_t>(sw.q_n[i]) >> (n_bits - b)) & 1u))
              << "N=" << n_bits << " b=" << b << " q_N=" << sw.q_n[i];
        }
        previous = q;
      }
    }
  }
}

// Mean and sample standard deviation of a - b.
struct Moments {
  double mean, sd;
};
Moments Difference(const Tensor& a, const Tensor& b) {
  const int64_t n = a.numel();
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i) sum += double(a.data()[i]) - b.data()[i];
  const double mean = sum / n;
  for (int64_t i = 0; i < n; ++i) {
    const double d = double(a.data()[i]) - b.data()[i] - mean;
    sq += d * d;
  }
  return {mean, std::sqrt(sq / (n - 1))};
}

// Without compensation, s_b q_b - s_w q_N = -s_w (q_N mod 2^k): for q_N spread over many
// steps the residue is uniform on {0..2^k-1}, so the mean error is -s_w (2^k - 1)/2 =
// -s_b/2 (1 - 2^(b-N)), which z_b = ½(1 - 2^(b-N)) cancels exactly (Eq. 6). Weights
// N(0, 1) with s_w = 1/16: sigma_q = 16, no clipping at N = 8 (|w| < 8), and the residues'
// deviation from uniform is ~exp(-2 pi^2 sigma_q^2 / 4^k) < 1e-8 for k <= 4. Tolerance:
// 5 standard errors of the sample mean.
TEST(VerticalTest, CompensationCancelsTheMeanDownsamplingError) {
  const int n_bits = 8;
  const float s = 1.f / 16;
  const int64_t n = 1 << 18;
  const Philox rng(/*seed=*/11, /*stream=*/1);
  std::vector<float> values(n);
  for (int64_t i = 0; i < n; ++i) values[i] = rng.Normal(i);
  const Tensor w = Tensor::FromVector({n}, values);
  const Tensor w_n = VerticalQuantize(w, Step(s), n_bits, n_bits, true, 1.f);
  for (int b = 4; b < n_bits; ++b) {
    const double s_b = std::ldexp(double(s), n_bits - b);
    const double bias = -s_b / 2 * (1 - std::ldexp(1.0, b - n_bits));
    for (bool comp : {false, true}) {
      const Tensor w_b = VerticalQuantize(w, Step(s), n_bits, b, comp, 1.f);
      const double expected = comp ? 0.0 : bias;
      for (const Tensor* reference : {&w_n, &w}) {  // downsampling error; total error vs w
        const Moments m = Difference(w_b, *reference);
        const double tol = 5 * m.sd / std::sqrt(double(n));
        ASSERT_LT(tol, std::fabs(bias) / 10) << "the test would not tell the two cases apart";
        EXPECT_NEAR(m.mean, expected, tol)
            << "b=" << b << " compensation=" << comp << (reference == &w ? " vs w" : " vs w_N");
      }
    }
  }
}

// Eqs. 1, 3, 5, 6 composed from the engine's own differentiable ops (straight-through
// round and floor, the clamp mask, broadcasting division): an independent reference for
// both the forward and the straight-through backward.
Tensor Composite(const Tensor& w, const Tensor& s, int n_bits, int b, bool comp, float g) {
  const float lo = -std::ldexp(1.f, n_bits - 1), hi = std::ldexp(1.f, n_bits - 1) - 1;
  const Tensor sg = GradScale(s, g);
  const Tensor q_n = RoundSte(Clamp(Div(w, sg), lo, hi));                // Eq. 1
  const Tensor q_b = FloorSte(Scale(q_n, std::ldexp(1.f, b - n_bits)));  // Eq. 5
  return Mul(AddScalar(q_b, CompensationOffset(n_bits, b, comp)),        // Eq. 6
             Scale(sg, std::ldexp(1.f, n_bits - b)));                    // Eq. 3
}

Tensor Uniform(const Shape& shape, uint64_t seed, float lo, float hi) {
  const Philox rng(seed, 2);
  Tensor t = Tensor::Empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = lo + (hi - lo) * rng.Uniform(i);
  return t;
}

TEST(VerticalTest, MatchesTheEngineStraightThroughOpsComposed) {
  uint64_t seed = 0;
  for (int n_bits : {2, 4, 8}) {
    for (int b = 1; b <= n_bits; ++b) {
      for (bool comp : {false, true}) {
        ++seed;
        const float s0 = 0.0371f, g = 0.37f, half = std::ldexp(1.f, n_bits - 1);
        Tensor w = Uniform({4, 3, 3, 3}, seed, -1.4f * half * s0, 1.4f * half * s0);
        w.set_requires_grad(true);
        const Tensor s = Step(s0);
        const Tensor probe = Uniform({4, 3, 3, 3}, seed + 1000, -1.f, 1.f);
        const Tensor y = VerticalQuantize(w, s, n_bits, b, comp, g);
        const Tensor y_ref = Composite(w, s, n_bits, b, comp, g);
        ASSERT_TRUE(SameBits(y, y_ref)) << "N=" << n_bits << " b=" << b << " seed=" << seed;
        EXPECT_EQ(y.node()->kind, VerticalQuantizeKind());
        const std::vector<Tensor> d = Grad(Sum(Mul(y, probe)), {w, s});
        const std::vector<Tensor> d_ref = Grad(Sum(Mul(y_ref, probe)), {w, s});
        double bound = 0;  // sum of |terms| of ds: the float reference's error scale
        for (int64_t i = 0; i < w.numel(); ++i) {
          EXPECT_NEAR(d[0].data()[i], d_ref[0].data()[i], 1e-6 * std::fabs(probe.data()[i]))
              << "dw[" << i << "] N=" << n_bits << " b=" << b;
          bound += std::fabs(probe.data()[i]) * (std::fabs(w.data()[i] / s0) + 2 * half);
        }
        EXPECT_NEAR(d[1].item(), d_ref[1].item(), 1e-5 * g * bound)
            << "ds_w N=" << n_bits << " b=" << b << " compensation=" << comp;
      }
    }
  }
}

// Weights (m + f) s0 with f in ±[0.05, 0.4]: every w/s is at least 0.1 from a rounding
// boundary and 0.05 from a clip bound, so small steps in w or s change no code.
Tensor AwayFromBoundaries(int64_t n, int n_bits, float s0, uint64_t seed) {
  const Philox rng(seed, 5);
  const int half = 1 << (n_bits - 1);
  Tensor w = Tensor::Empty({n});
  for (int64_t i = 0; i < n; ++i) {
    const int m = -half - 3 + static_cast<int>(rng.UniformInt(2 * i, 2 * half + 6));
    const float u = rng.Uniform(2 * i + 1);
    const float f = (u < 0.5f ? -1.f : 1.f) * (0.05f + 0.7f * std::fabs(u - 0.5f));
    w.data()[i] = (m + f) * s0;
  }
  return w.set_requires_grad(true);
}

double Probed(const Tensor& y, const Tensor& p) {
  double sum = 0;
  for (int64_t i = 0; i < y.numel(); ++i) sum += double(p.data()[i]) * y.data()[i];
  return sum;
}

// Where codes are locally constant the real forward is linear in s_w with slope
// 2^k (q_b + z_b); the straight-through ds_w adds -w/s_w for unclipped elements.
TEST(VerticalTest, StepGradientIsTheFiniteDifferenceMinusTheRatioInside) {
  for (int n_bits : {2, 4, 8}) {
    for (int b = 1; b <= n_bits; ++b) {
      const float s0 = 0.05f, h = 1e-4f * s0;
      const Tensor w = AwayFromBoundaries(64, n_bits, s0, 10 * n_bits + b);
      const Tensor p = Uniform({64}, n_bits + b, -1.f, 1.f);
      const Tensor s = Step(s0);
      const Tensor y = VerticalQuantize(w, s, n_bits, b, true, 1.f);
      const double ds = Grad(Sum(Mul(y, p)), {s})[0].item();
      ASSERT_EQ(VerticalCodes(w, s0 + h, n_bits, b), VerticalCodes(w, s0, n_bits, b));
      ASSERT_EQ(VerticalCodes(w, s0 - h, n_bits, b), VerticalCodes(w, s0, n_bits, b));
      const double fd = (Probed(VerticalQuantize(w, Step(s0 + h), n_bits, b, true, 1.f), p) -
                         Probed(VerticalQuantize(w, Step(s0 - h), n_bits, b, true, 1.f), p)) /
                        (double(s0 + h) - double(s0 - h));
      double ratio = 0, scale = 0;
      for (int64_t i = 0; i < w.numel(); ++i) {
        const double r = w.data()[i] / s0;
        if (r >= -(1 << (n_bits - 1)) && r <= (1 << (n_bits - 1)) - 1) ratio += p.data()[i] * r;
        scale += std::fabs(p.data()[i]) * (std::fabs(r) + (1 << n_bits));
      }
      // float outputs carry ~6e-8 relative error each, divided by 2h / s0 = 2e-4.
      EXPECT_NEAR(ds, fd - ratio, 2e-3 * scale) << "N=" << n_bits << " b=" << b;
    }
  }
}

// The straight-through gradient is the exact gradient of the forward with its rounding and
// flooring residuals frozen: ŵ(w, s) = s clip(w/s) + 2^k s (Δ + z), Δ = q_b - clip(r0)/2^k.
// Central differences of that function in double, for every w_i and for s.
TEST(VerticalTest, GradientsMatchFiniteDifferencesOfTheFrozenResidualForm) {
  for (int n_bits : {2, 4, 8}) {
    for (int b = 1; b <= n_bits; ++b) {
      const int64_t n = 40;
      const double s0 = 0.05, g = 0.37, lo = -(1 << (n_bits - 1)), hi = (1 << (n_bits - 1)) - 1;
      const int k = n_bits - b;
      const double z = CompensationOffset(n_bits, b, true);
      const Tensor w = AwayFromBoundaries(n, n_bits, float(s0), 100 * n_bits + b);
      const Tensor p = Uniform({n}, 7 * n_bits + b, -1.f, 1.f);
      const std::vector<int32_t> q = VerticalCodes(w, float(s0), n_bits, b);
      std::vector<double> x(n), delta(n);
      for (int64_t i = 0; i < n; ++i) {
        x[i] = w.data()[i];
        delta[i] = q[i] - std::clamp(double(w.data()[i] / float(s0)), lo, hi) / std::ldexp(1.0, k);
      }
      auto loss = [&](const std::vector<double>& v, double s) {
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) {
          const double y = s * std::clamp(v[i] / s, lo, hi) + std::ldexp(s, k) * (delta[i] + z);
          sum += p.data()[i] * y;
        }
        return sum;
      };
      const Tensor s = Step(float(s0));
      const std::vector<Tensor> d =
          Grad(Sum(Mul(VerticalQuantize(w, s, n_bits, b, true, float(g)), p)), {w, s});
      const double h = 1e-3 * s0;
      for (int64_t i = 0; i < n; ++i) {
        std::vector<double> up = x, down = x;
        up[i] += h, down[i] -= h;
        const double fd = (loss(up, s0) - loss(down, s0)) / (2 * h);
        EXPECT_NEAR(d[0].data()[i], fd, 1e-6) << "dw[" << i << "] N=" << n_bits << " b=" << b;
      }
      const double h_s = 1e-4 * s0;  // |dr| = |r| h_s / s0 < 0.015: no clip bound crossed
      const double fd_s = (loss(x, s0 + h_s) - loss(x, s0 - h_s)) / (2 * h_s);
      EXPECT_NEAR(d[1].item(), g * fd_s, 1e-5 * (1 + std::fabs(g * fd_s)))
          << "ds_w N=" << n_bits << " b=" << b;
    }
  }
}

TEST(VerticalTest, BitIdenticalForOneTwoThreeThreads) {
  const int64_t n = 3 * (1 << 18) + 777;
  const Tensor p = Uniform({n}, 3, -1.f, 1.f);
  const int saved = NumThreads();
  Tensor y0, dw0, ds0;
  for (int threads : {1, 2, 3}) {
    SetNumThreads(threads);
    Tensor w = Uniform({n}, 4, -0.5f, 0.5f).set_requires_grad(true);
    const Tensor s = Step(0.02f);
    const Tensor y = VerticalQuantize(w, s, 4, 2, true, VerticalGradScale(n, 4));
    Backward({Sum(Mul(y, p))});
    if (threads == 1) {
      y0 = y, dw0 = w.grad(), ds0 = s.grad();
    } else {
      EXPECT_TRUE(SameBits(y, y0)) << threads << " threads";
      EXPECT_TRUE(SameBits(w.grad(), dw0)) << threads << " threads";
      EXPECT_TRUE(SameBits(s.grad(), ds0)) << threads << " threads";
    }
  }
  SetNumThreads(saved);
}

TEST(VerticalTest, StepsAndScalesFollowTheirDefinitions) {
  const Tensor w = Tensor::FromVector({4}, {1.f, -3.f, 2.f, -2.f});  // mean|w| = 2
  EXPECT_FLOAT_EQ(InitSourceStep(w, 4), 4.f / std::sqrt(15.f));
  EXPECT_FLOAT_EQ(InitActivationStep(w, 2), 1.f);  // 3 / (2^2 - 1)
  EXPECT_TRUE(std::isnan(InitActivationStep(Tensor::FromVector({2}, {1.f, NAN}), 2)));
  EXPECT_FLOAT_EQ(VerticalGradScale(100, 4), 1.f / std::sqrt(700.f));
  EXPECT_EQ(CompensationOffset(4, 2, true), 0.375f);  // the paper's 3/8, 1/4, 0
  EXPECT_EQ(CompensationOffset(4, 3, true), 0.25f);
  EXPECT_EQ(CompensationOffset(4, 4, true), 0.f);
  EXPECT_EQ(CompensationOffset(4, 2, false), 0.f);
}

TEST(VerticalTest, HeavisideSteForwardAndBothBackwards) {
  const Tensor p = Tensor::FromVector({6}, {1, 2, 3, 4, 5, 6});
  for (HeavisideGrad mode : {HeavisideGrad::kIdentity, HeavisideGrad::kClipped}) {
    Tensor r = Tensor::FromVector({6}, {-2.f, -1.f, 0.f, 0.5f, 1.f, 3.f}).set_requires_grad(true);
    const Tensor e = HeavisideSte(r, mode);
    EXPECT_EQ(e.ToVector(), std::vector<float>({0, 0, 0, 1, 1, 1}));
    EXPECT_EQ(e.node()->kind, HeavisideSteKind());
    EXPECT_STREQ(OpKindName(e.node()->kind), "heaviside_ste");
    const Tensor dr = Grad(Sum(Mul(e, p)), {r})[0];
    const std::vector<float> expected = mode == HeavisideGrad::kIdentity
                                            ? std::vector<float>{1, 2, 3, 4, 5, 6}
                                            : std::vector<float>{0, 2, 3, 4, 5, 0};
    EXPECT_EQ(dr.ToVector(), expected);
  }
  NoGradGuard no_grad;
  const Tensor r = Tensor::FromVector({1}, {1.f}).set_requires_grad(true);
  EXPECT_EQ(HeavisideSte(r).node(), nullptr);
}

}  // namespace
}  // namespace quant
}  // namespace strata
