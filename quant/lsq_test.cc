#include "quant/lsq.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace quant {
namespace {

Tensor Random(const Shape& shape, uint64_t seed, float lo, float hi) {
  const Philox rng(seed, 11);
  Tensor t = Tensor::Empty(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = lo + (hi - lo) * rng.Uniform(i);
  return t;
}

Tensor Step(float s) { return Tensor::Full({1}, s).set_requires_grad(true); }

bool SameBits(const Tensor& a, const Tensor& b) {
  return a.numel() == b.numel() &&
         std::memcmp(a.data(), b.data(), a.numel() * sizeof(float)) == 0;
}

TEST(LsqTest, RangesFollowEq1) {
  for (int b = 1; b <= 16; ++b) {
    const QuantRange s = SignedRange(b), u = UnsignedRange(b);
    EXPECT_EQ(s.qn, int32_t(std::ldexp(1.0, b - 1))) << b;
    EXPECT_EQ(int64_t(s.qn) + s.qp + 1, int64_t(std::ldexp(1.0, b))) << b;  // 2^b codes
    EXPECT_EQ(u.qn, 0) << b;
    EXPECT_EQ(int64_t(u.qp) + 1, int64_t(std::ldexp(1.0, b))) << b;
  }
  EXPECT_EQ(SignedRange(1).qn, 1);  // b = 1 signed: codes {-1, 0}
  EXPECT_EQ(SignedRange(1).qp, 0);
}

TEST(LsqTest, BadBitsAreAStatusNamingFieldAndValue) {
  for (int b = 1; b <= 16; ++b) EXPECT_TRUE(ValidateBits(b).ok()) << b;
  for (int b : {0, -1, 17, 32}) {
    const Status st = ValidateBits(b, "plan.layer3.bits");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("'plan.layer3.bits'"), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("value " + std::to_string(b)), std::string::npos)
        << st.ToString();
  }
  EXPECT_DEATH(SignedRange(0), "bits must be in");
  EXPECT_DEATH(UnsignedRange(17), "bits must be in");
}

// Forward through the op vs Eq. 1 written out here, over awkward sizes.
TEST(LsqTest, ForwardEqualsEq1OverAwkwardSizes) {
  const QuantRange ranges[] = {SignedRange(1), SignedRange(2), SignedRange(4), UnsignedRange(3),
                               UnsignedRange(8)};
  uint64_t seed = 0;
  for (const QuantRange r : ranges) {
    for (const int64_t n : {1, 2, 3, 5, 7, 13, 31, 127, 8191, 65537, (1 << 20) + 3}) {
      const float s = 0.173f;
      const Tensor v = Random({n}, ++seed, -1.4f * s * (r.qn + 1), 1.4f * s * (r.qp + 1));
      const Tensor y = LsqQuantize(v, Tensor::Full({1}, s), r, 1.f);
      Tensor ref = Tensor::Empty({n});
      for (int64_t i = 0; i < n; ++i) {
        float q = std::nearbyint(v.data()[i] / s);  // ties to even
        q = q < -float(r.qn) ? -float(r.qn) : q;      // (a -0 code stays -0)
        q = q > float(r.qp) ? float(r.qp) : q;
        ref.data()[i] = q * s;
      }
      ASSERT_TRUE(SameBits(y, ref)) << "qn " << r.qn << " qp " << r.qp << " n " << n;
    }
  }
}

// v with every r = v/s at least 0.05 away from a rounding boundary (k + 0.5) and from the clip
// edges -Qn and Qp, spread over [-Qn - 2, Qp + 2] (both clip regions included).
Tensor AwayFromBoundaries(int64_t n, float s, QuantRange r, uint64_t seed) {
  const Philox rng(seed, 5);
  Tensor v = Tensor::Empty({n});
  for (int64_t i = 0, k = 0; i < n; ++k) {
    const double x = -r.qn - 2.0 + (r.qn + r.qp + 4.0) * rng.Uniform(k);
    const double frac = x - std::floor(x);
    if (std::fabs(frac - 0.5) < 0.05 || std::fabs(x + r.qn) < 0.05 || std::fabs(x - r.qp) < 0.05)
      continue;
    v.data()[i++] = float(x * s);
  }
  return v;
}

// L = sum_i p_i LsqQuantize(v, s)_i in double, no recording.
double Probe(const Tensor& v, float s, QuantRange r, const Tensor& p) {
  NoGradGuard no_grad;
  const Tensor y = LsqQuantize(v, Tensor::Full({1}, s), r, 1.f);
  double sum = 0;
  for (int64_t i = 0; i < y.numel(); ++i) sum += double(p.data()[i]) * y.data()[i];
  return sum;
}

// Central differences of the op's own forward, away from rounding boundaries, where
// v̂ = q·s with q locally constant: the true derivatives are dv̂/dv = 0 and dv̂/ds = q. LSQ's
// backward is the true gradient plus the straight-through term of round (d round(r)/dr := 1),
// which acts only inside the clip range: dv̂/dv = 0 + 1 and dv̂/ds = q - r (Esser et al. Eq. 3,
// 5). So the test checks grad_v = FD_v + p·[inside] and grad_s / g = FD_s - sum_inside p r:
// the clip masks, signs, clip values and the gradient scale are all compared with differences.
TEST(LsqTest, GradientsMatchFiniteDifferencesPlusTheStraightThroughTerm) {
  const QuantRange ranges[] = {SignedRange(2), SignedRange(4), UnsignedRange(3), SignedRange(1)};
  uint64_t seed = 10;
  for (const QuantRange r : ranges) {
    const int64_t n = 301;
    const float s = 0.1f, g = 0.37f;
    Tensor v = AwayFromBoundaries(n, s, r, ++seed).set_requires_grad(true);
    const Tensor p = Random({n}, ++seed, -1.f, 1.f);
    Tensor step = Step(s);
    Backward({LsqQuantize(v, step, r, g)}, {p});

    // s: steps that move every r by at most 0.04 (< the 0.05 margin).
    const double max_r = std::max(r.qn, r.qp) + 2.0;
    const float sp = float(s * (1 + 0.04 / max_r)), sm = float(s * (1 - 0.04 / max_r));
    const double fd_s = (Probe(v, sp, r, p) - Probe(v, sm, r, p)) / (double(sp) - double(sm));
    double ste = 0, mag = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double ri = double(v.data()[i] / s);
      if (ri >= -r.qn && ri <= r.qp) ste -= p.data()[i] * ri;
      mag += std::fabs(p.data()[i]) * (std::fabs(ri) + 1.0);
    }
    // Each y_i carries a rounding error <= 2^-24 |y_i| (<= 2^-24 s max_r); over 2 evaluations
    // and divided by sp - sm, plus the float rounding of grad_s.
    const double tol = 4 * std::ldexp(1.0, -24) * mag * s / (double(sp) - double(sm)) + 1e-5 * mag;
    EXPECT_NEAR(step.grad().item() / g, fd_s + ste, tol) << "qn " << r.qn << " qp " << r.qp;

    // v: perturb every element at once (the op is elementwise in v for a fixed s).
    const float e = 0.02f * s;
    Tensor vp = Tensor::Empty({n}), vm = Tensor::Empty({n});
    for (int64_t i = 0; i < n; ++i) vp.data()[i] = v.data()[i] + e, vm.data()[i] = v.data()[i] - e;
    NoGradGuard no_grad;
    const Tensor yp = LsqQuantize(vp, Tensor::Full({1}, s), r, 1.f);
    const Tensor ym = LsqQuantize(vm, Tensor::Full({1}, s), r, 1.f);
    for (int64_t i = 0; i < n; ++i) {
      const double fd_v = p.data()[i] * (double(yp.data()[i]) - ym.data()[i]) /
                          (double(vp.data()[i]) - vm.data()[i]);
      const double ri = double(v.data()[i] / s);
      const double inside = (ri >= -r.qn && ri <= r.qp) ? 1.0 : 0.0;
      ASSERT_NEAR(v.grad().data()[i], fd_v + p.data()[i] * inside, 1e-6)
          << "qn " << r.qn << " i " << i << " r " << ri;
    }
  }
}

TEST(LsqTest, ClipRegionsAndEdges) {
  // s = 0.5, 4-bit signed {8, 7}: r = -200 and 200 are clipped; r = -8 and 7 sit on the
  // (closed) edges and count as inside, with round(r) - r = 0; r = 1.2 is plainly inside.
  Tensor v = Tensor::FromVector({5}, {-100.f, 100.f, -4.f, 3.5f, 0.6f}).set_requires_grad(true);
  Tensor s = Step(0.5f);
  const float g = 0.25f;
  const Tensor y = LsqQuantize(v, s, SignedRange(4), g);
  const std::vector<float> dy = {1.f, 2.f, 3.f, 4.f, 5.f};
  Backward({y}, {Tensor::FromVector({5}, dy)});
  const std::vector<float> want_y = {-8 * 0.5f, 7 * 0.5f, -8 * 0.5f, 7 * 0.5f, 1 * 0.5f};
  const std::vector<float> want_dv = {0.f, 0.f, dy[2], dy[3], dy[4]};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(y.data()[i], want_y[i]) << i;
    EXPECT_EQ(v.grad().data()[i], want_dv[i]) << i;
  }
  // -Qn dy_0 + Qp dy_1 + 0 + 0 + (round(1.2) - 1.2) dy_4, times g.
  const double r4 = double(0.6f / 0.5f);
  EXPECT_FLOAT_EQ(s.grad().item(), float(g * (-8.0 * dy[0] + 7.0 * dy[1] + (1.0 - r4) * dy[4])));
}

TEST(LsqTest, GradScaleMultipliesOnlyTheStepGradient) {
  const QuantRange r = SignedRange(4);
  EXPECT_EQ(LsqGradScale(2304, r), float(1.0 / std::sqrt(2304.0 * 7)));
  EXPECT_EQ(LsqWeightGradScale(Tensor::Zeros({16, 16, 3, 3}), r), LsqGradScale(2304, r));
  EXPECT_EQ(LsqActivationGradScale(Tensor::Zeros({128, 16, 32, 32}), UnsignedRange(2)),
            float(1.0 / std::sqrt(16384.0 * 3)));
  EXPECT_EQ(LsqGradScale(100, SignedRange(1)), 0.1f);  // Qp = 0 counts as 1

  const Tensor v0 = Random({1000}, 3, -1.f, 1.f), dy = Random({1000}, 4, -1.f, 1.f);
  float ds[2];
  std::vector<float> dv[2];
  const float gs[2] = {1.f, 0.01f};
  for (int k = 0; k < 2; ++k) {
    Tensor v = v0.Clone().set_requires_grad(true);
    Tensor s = Step(0.1f);
    Backward({LsqQuantize(v, s, r, gs[k])}, {dy});
    ds[k] = s.grad().item();
    dv[k] = v.grad().ToVector();
  }
  EXPECT_NEAR(ds[1], 0.01f * ds[0], 1e-6f * std::fabs(ds[0]));
  EXPECT_EQ(dv[0], dv[1]);
}

TEST(LsqTest, InitialStepIsTwoMeanAbsOverSqrtQp) {
  const Tensor v = Tensor::FromVector({4}, {-1.f, 2.f, -3.f, 4.f});  // mean |v| = 2.5
  EXPECT_FLOAT_EQ(LsqInitStep(v, SignedRange(2)).value(), 5.f);      // Qp = 1
  EXPECT_FLOAT_EQ(LsqInitStep(v, UnsignedRange(4)).value(), float(5.0 / std::sqrt(15.0)));
  EXPECT_FLOAT_EQ(LsqInitStep(v, SignedRange(1)).value(), 5.f);  // Qp = 0 counts as 1
  for (const float bad : {0.f, NAN, INFINITY}) {
    const StatusOr<float> s = LsqInitStep(Tensor::Full({2, 3}, bad), SignedRange(4));
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(s.status().message().find("(2, 3)"), std::string::npos) << s.status().ToString();
  }
}

TEST(LsqTest, RecordsItsKindAndAccumulates) {
  Tensor v = Random({2, 3, 4, 5}, 8, -1.f, 1.f).set_requires_grad(true);
  Tensor s = Step(0.2f);
  const Tensor y = LsqQuantize(v, s, SignedRange(3), 0.5f);
  ASSERT_NE(y.node(), nullptr);
  EXPECT_EQ(y.node()->kind, LsqQuantizeKind());
  EXPECT_STREQ(OpKindName(y.node()->kind), "lsq_quantize");
  const Tensor dy = Random({2, 3, 4, 5}, 9, -1.f, 1.f);
  Backward({y}, {dy});
  const std::vector<float> dv1 = v.grad().ToVector();
  const float ds1 = s.grad().item();
  Backward({y}, {dy});
  for (size_t i = 0; i < dv1.size(); ++i) EXPECT_EQ(v.grad().data()[i], 2 * dv1[i]);
  EXPECT_EQ(s.grad().item(), 2 * ds1);

  // Only the step learns (v constant): the step gradient is the same.
  Tensor s2 = Step(0.2f);
  Backward({LsqQuantize(v.Detach(), s2, SignedRange(3), 0.5f)}, {dy});
  EXPECT_EQ(s2.grad().item(), ds1);
}

TEST(LsqTest, BitIdenticalForOneTwoAndThreeThreads) {
  const int64_t n = (1 << 21) + 5;
  const Tensor v0 = Random({n}, 21, -2.f, 2.f), dy = Random({n}, 22, -1.f, 1.f);
  Tensor y[3], dv[3];
  float ds[3];
  for (int t = 1; t <= 3; ++t) {
    SetNumThreads(t);
    Tensor v = v0.Clone().set_requires_grad(true);
    Tensor s = Step(0.05f);
    y[t - 1] = LsqQuantize(v, s, SignedRange(4), LsqWeightGradScale(v, SignedRange(4)));
    Backward({y[t - 1]}, {dy});
    dv[t - 1] = v.grad();
    ds[t - 1] = s.grad().item();
  }
  for (int t = 1; t < 3; ++t) {
    EXPECT_TRUE(SameBits(y[0], y[t])) << t + 1 << " threads";
    EXPECT_TRUE(SameBits(dv[0], dv[t])) << t + 1 << " threads";
    EXPECT_EQ(std::memcmp(&ds[0], &ds[t], sizeof(float)), 0) << t + 1 << " threads";
  }
}

}  // namespace
}  // namespace quant
}  // namespace strata
