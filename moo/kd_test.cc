#include "moo/kd.h"

#include <cmath>
#include <functional>

#include "gtest/gtest.h"

namespace strata {
namespace moo {
namespace {

using Matrix = std::vector<double>;  // (N, K) row-major

// ---- independent double-precision references ----

std::vector<double> SoftmaxRow(const double* z, int K) {
  double mx = z[0];
  for (int k = 1; k < K; ++k) mx = std::max(mx, z[k]);
  std::vector<double> p(K);
  double s = 0;
  for (int k = 0; k < K; ++k) s += p[k] = std::exp(z[k] - mx);
  for (double& x : p) x /= s;
  return p;
}

double NaiveCosine(const Matrix& zt, const Matrix& zs, int N, int K) {
  double loss = 0;
  for (int n = 0; n < N; ++n) {
    const auto pt = SoftmaxRow(&zt[n * K], K), ps = SoftmaxRow(&zs[n * K], K);
    double dot = 0, tt = 0, ss = 0;
    for (int k = 0; k < K; ++k) dot += pt[k] * ps[k], tt += pt[k] * pt[k], ss += ps[k] * ps[k];
    loss += 1 - dot / std::sqrt(tt * ss);
  }
  return loss / N;
}

// KL(p_T || p_S) with log p = z - max - log sum exp(z - max).
double NaiveKl(const Matrix& zt, const Matrix& zs, int N, int K) {
  auto log_softmax = [K](const double* z) {
    double mx = z[0], s = 0;
    for (int k = 1; k < K; ++k) mx = std::max(mx, z[k]);
    for (int k = 0; k < K; ++k) s += std::exp(z[k] - mx);
    std::vector<double> l(K);
    for (int k = 0; k < K; ++k) l[k] = z[k] - mx - std::log(s);
    return l;
  };
  double loss = 0;
  for (int n = 0; n < N; ++n) {
    const auto lt = log_softmax(&zt[n * K]), ls = log_softmax(&zs[n * K]);
    for (int k = 0; k < K; ++k) loss += std::exp(lt[k]) * (lt[k] - ls[k]);
  }
  return loss / N;
}

double NaiveCe(const Matrix& z, const std::vector<int32_t>& labels, int N, int K) {
  double loss = 0;
  for (int n = 0; n < N; ++n) loss -= std::log(SoftmaxRow(&z[n * K], K)[labels[n]]);
  return loss / N;
}

// ---- helpers ----

Matrix RandomLogits(int N, int K, uint64_t seed, double scale) {
  Matrix z(N * K);
  Philox rng(seed, Stream("logits"));
  for (int i = 0; i < N * K; ++i) z[i] = scale * rng.Normal(i);
  return z;
}

// The float tensor of z (z is then re-read from it, so references see the same values).
Tensor ToTensor(Matrix* z, int N, int K, bool requires_grad = true) {
  Tensor t = Tensor::Empty({N, K});
  for (int i = 0; i < N * K; ++i) t.data()[i] = static_cast<float>((*z)[i]), (*z)[i] = t.data()[i];
  t.set_requires_grad(requires_grad);
  return t;
}

using NaiveLoss = std::function<double(const Matrix&)>;

// Central differences of a double-precision loss in every element of z.
Matrix FiniteDifferences(const NaiveLoss& f, Matrix z) {
  const double eps = 1e-5;
  Matrix g(z.size());
  for (size_t i = 0; i < z.size(); ++i) {
    const double z0 = z[i];
    z[i] = z0 + eps;
    const double up = f(z);
    z[i] = z0 - eps;
    g[i] = (up - f(z)) / (2 * eps);
    z[i] = z0;
  }
  return g;
}

// Tolerance: the float32 backward carries ~1e-7 relative rounding per term over K-element
// rows; the double central difference with eps 1e-5 has O(eps^2) = 1e-10 truncation and
// ~1e-16 / 1e-5 = 1e-11 cancellation error. 2e-6 absolute + 1e-4 relative leaves margin and
// still catches any wrong term (gradients here are ~1e-2 per element).
void ExpectGradNear(const Tensor& analytic, const Matrix& numeric, const std::string& where) {
  ASSERT_EQ(analytic.numel(), static_cast<int64_t>(numeric.size())) << where;
  double max_abs = 0;
  for (size_t i = 0; i < numeric.size(); ++i) {
    EXPECT_NEAR(analytic.data()[i], numeric[i], 2e-6 + 1e-4 * std::fabs(numeric[i]))
        << where << " element " << i;
    max_abs = std::max(max_abs, std::fabs(numeric[i]));
  }
  EXPECT_GT(max_abs, 1e-4) << where << ": the check must not pass vacuously";
}

struct Case {
  int N, K;
  double scale;  // logit spread
};
const Case kCases[] = {{1, 2, 1.0}, {3, 5, 1.0}, {4, 10, 3.0}, {7, 3, 0.3}, {2, 17, 8.0}};

TEST(Kd, LossValuesMatchNaiveReference) {
  for (const Case& c : kCases)
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      Matrix zt = RandomLogits(c.N, c.K, seed, c.scale),
             zs = RandomLogits(c.N, c.K, seed + 100, c.scale);
      const Tensor t = ToTensor(&zt, c.N, c.K), s = ToTensor(&zs, c.N, c.K);
      const std::string where = "N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) +
                                " seed " + std::to_string(seed);
      const double cos_ref = NaiveCosine(zt, zs, c.N, c.K), kl_ref = NaiveKl(zt, zs, c.N, c.K);
      // float32 softmax/sums over <= 17 classes: ~1e-6 relative on O(1) quantities.
      EXPECT_NEAR(CosineKdLoss(t, s).item(), cos_ref, 1e-6 + 1e-5 * cos_ref) << where;
      EXPECT_NEAR(KlKdLoss(t, s).item(), kl_ref, 1e-6 + 1e-5 * kl_ref) << where;
      EXPECT_EQ(KdLoss(KdKind::kCosine, t, s).item(), CosineKdLoss(t, s).item());
      EXPECT_EQ(KdLoss(KdKind::kKl, t, s).item(), KlKdLoss(t, s).item());
    }
}

TEST(Kd, HandComputedValues) {
  // Teacher logits (0, log 3) -> p_T = (1/4, 3/4); student (0, 0) -> p_S = (1/2, 1/2).
  Matrix zt = {0, std::log(3.0)}, zs = {0, 0};
  const Tensor t = ToTensor(&zt, 1, 2), s = ToTensor(&zs, 1, 2);
  // cos = (1/8 + 3/8) / (sqrt(10)/4 * sqrt(2)/2) = 4 / sqrt(20) = 2 / sqrt(5).
  EXPECT_NEAR(CosineKdLoss(t, s).item(), 1 - 2 / std::sqrt(5.0), 1e-7);
  // KL = 1/4 log(1/2) + 3/4 log(3/2).
  EXPECT_NEAR(KlKdLoss(t, s).item(), 0.25 * std::log(0.5) + 0.75 * std::log(1.5), 1e-7);
  // Same distribution (logits shifted by a constant): both are 0.
  Matrix za = {1, 2, 3}, zb = {11, 12, 13};
  const Tensor a = ToTensor(&za, 1, 3), b = ToTensor(&zb, 1, 3);
  EXPECT_NEAR(CosineKdLoss(a, b).item(), 0.0, 1e-7);
  EXPECT_NEAR(KlKdLoss(a, b).item(), 0.0, 1e-7);
}

TEST(Kd, KlStaysFiniteWhereProbabilitiesUnderflow) {
  // exp(-200) underflows float32: p_T log p_T must be 0, not NaN.
  Matrix zt = {0, -200, 5}, zs = {1, -150, 0};
  const Tensor t = ToTensor(&zt, 1, 3), s = ToTensor(&zs, 1, 3);
  const double ref = NaiveKl(zt, zs, 1, 3);
  EXPECT_NEAR(KlKdLoss(t, s).item(), ref, 1e-5 * ref);
  EXPECT_NEAR(CosineKdLoss(t, s).item(), NaiveCosine(zt, zs, 1, 3), 1e-6);
}

TEST(Kd, GradientsMatchFiniteDifferences) {
  for (const Case& c : kCases) {
    Matrix zt = RandomLogits(c.N, c.K, 7, c.scale), zs = RandomLogits(c.N, c.K, 8, c.scale);
    const Tensor t = ToTensor(&zt, c.N, c.K), s = ToTensor(&zs, c.N, c.K);
    const std::string where = "N=" + std::to_string(c.N) + " K=" + std::to_string(c.K);
    const int N = c.N, K = c.K;
    ExpectGradNear(Grad(CosineKdLoss(t, s), {s})[0],
                   FiniteDifferences([&](const Matrix& z) { return NaiveCosine(zt, z, N, K); }, zs),
                   "cosine " + where);
    ExpectGradNear(Grad(KlKdLoss(t, s), {s})[0],
                   FiniteDifferences([&](const Matrix& z) { return NaiveKl(zt, z, N, K); }, zs),
                   "kl " + where);
  }
}

TEST(Kd, TeacherGetsNoGradient) {
  Matrix zt = RandomLogits(3, 4, 1, 1.0), zs = RandomLogits(3, 4, 2, 1.0);
  for (KdKind kind : {KdKind::kCosine, KdKind::kKl}) {
    const Tensor t = ToTensor(&zt, 3, 4), s = ToTensor(&zs, 3, 4);
    const Tensor teacher = Scale(t, 2.f);  // a non-leaf teacher, as a network's output is
    const Tensor loss = KdLoss(kind, teacher, s);
    for (float x : Grad(loss, {teacher, t})[1].ToVector()) EXPECT_EQ(x, 0.f) << KdKindName(kind);
    Backward({loss});
    EXPECT_FALSE(t.grad().defined()) << KdKindName(kind);
    ASSERT_TRUE(s.grad().defined()) << KdKindName(kind);
  }
}

TEST(SelfKd, LossSetOfEq11) {
  const int N = 5, K = 6, widths = 3;
  const std::vector<int32_t> labels = {0, 5, 2, 2, 3};
  std::vector<Matrix> z;
  for (int b = 0; b < widths; ++b) z.push_back(RandomLogits(N, K, 20 + b, 2.0));
  for (KdKind kind : {KdKind::kNone, KdKind::kCosine, KdKind::kKl}) {
    std::vector<Tensor> logits;
    for (int b = 0; b < widths; ++b) logits.push_back(ToTensor(&z[b], N, K));
    const std::vector<Tensor> losses = SelfKdLosses(logits, labels, kind);
    ASSERT_EQ(losses.size(), static_cast<size_t>(widths));
    auto naive = [&](int b, const Matrix& student) {
      double l = NaiveCe(student, labels, N, K);
      if (b + 1 < widths && kind == KdKind::kCosine) l += NaiveCosine(z[b + 1], student, N, K);
      if (b + 1 < widths && kind == KdKind::kKl) l += NaiveKl(z[b + 1], student, N, K);
      return l;
    };
    for (int b = 0; b < widths; ++b) {
      const std::string where = std::string(KdKindName(kind)) + " width " + std::to_string(b);
      EXPECT_NEAR(losses[b].item(), naive(b, z[b]), 1e-5) << where;
      ExpectGradNear(Grad(losses[b], {logits[b]})[0],
                     FiniteDifferences([&](const Matrix& zs) { return naive(b, zs); }, z[b]),
                     where);
    }
    // L_0 reaches only the 0-th logits: its teacher (width 1) gets nothing.
    Backward({losses[0]});
    EXPECT_TRUE(logits[0].grad().defined());
    EXPECT_FALSE(logits[1].grad().defined()) << KdKindName(kind);
    EXPECT_FALSE(logits[2].grad().defined()) << KdKindName(kind);
  }
}

}  // namespace
}  // namespace moo
}  // namespace strata
