// Finite-difference checks (gradcheck.h) of the layer ops over awkward sizes: 1, primes,
// odd spatial sizes, strides, padding, groups and depthwise; plus BN running statistics
// and shape-error messages.
#include <cmath>

#include "engine/autograd.h"
#include "engine/gradcheck.h"
#include "engine/ops.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

using V = std::vector<Tensor>;

Tensor R(const Shape& s, uint64_t stream, float lo = -1.f, float hi = 1.f) {
  return RandomTensor(s, 3, stream, lo, hi);
}

struct ConvCase {
  int N, C, H, W, K, R, stride, pad, groups;
  bool bias;
};

TEST(OpsNn, Conv2dGradients) {
  const ConvCase cases[] = {
      {1, 1, 1, 1, 1, 1, 1, 0, 1, false}, {2, 3, 7, 5, 4, 3, 1, 1, 1, true},
      {2, 3, 7, 5, 2, 3, 2, 0, 1, false}, {1, 4, 5, 5, 6, 3, 2, 1, 2, true},
      {2, 3, 5, 7, 3, 3, 1, 1, 3, false}, {1, 2, 6, 6, 5, 1, 2, 0, 1, true},
      {1, 3, 9, 9, 2, 5, 1, 2, 1, false},
  };
  for (const ConvCase& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << "N" << c.N << " C" << c.C << " H" << c.H << " W" << c.W << " K" << c.K << " R"
                 << c.R << " s" << c.stride << " p" << c.pad << " g" << c.groups);
    const Conv2dParams p{c.stride, c.pad, c.groups};
    V in = {R({c.N, c.C, c.H, c.W}, 1), R({c.K, c.C / c.groups, c.R, c.R}, 2),
            c.bias ? R({c.K}, 3) : Tensor()};
    EXPECT_TRUE(GradCheck([p](const V& x) { return Conv2d(x[0], x[1], x[2], p); }, in));
  }
}

TEST(OpsNn, BatchNormTrainGradients) {
  for (Act act : {Act::kNone, Act::kRelu, Act::kRelu6}) {
    for (const Shape& s : {Shape{3, 2, 5, 3}, Shape{2, 5, 1, 1}, Shape{7, 3}}) {
      SCOPED_TRACE(::testing::Message() << ShapeStr(s) << " act " << int(act));
      BatchNormParams p;
      p.act = act;
      const int C = s[1];
      // gamma in [1, 3] and beta in [2, 4] put ReLU6's upper kink in reach.
      V in = {R(s, 1, -2.f, 2.f), R({C}, 2, 1.f, 3.f),
              R({C}, 3, act == Act::kRelu6 ? 2.f : -1.f, 4.f)};
      EXPECT_TRUE(GradCheck(
          [p](const V& x) { return BatchNorm2d(x[0], x[1], x[2], Tensor(), Tensor(), p); }, in));
    }
  }
}

TEST(OpsNn, BatchNormEvalGradients) {
  BatchNormParams p;
  p.training = false;
  p.act = Act::kRelu;
  const Tensor rm = R({3}, 4, -0.2f, 0.2f), rv = R({3}, 5, 0.5f, 2.f);
  V in = {R({2, 3, 3, 5}, 1), R({3}, 2), R({3}, 3)};
  EXPECT_TRUE(GradCheck([&](const V& x) { return BatchNorm2d(x[0], x[1], x[2], rm, rv, p); }, in));
}

TEST(OpsNn, BatchNormRunningStatistics) {
  const Tensor x = R({4, 2, 3, 3}, 1, -2.f, 3.f);
  Tensor rm = Tensor::Full({2}, 0.5f), rv = Tensor::Full({2}, 2.f);
  BatchNormParams p;
  p.momentum = 0.25f;
  const Tensor y = BatchNorm2d(x, Tensor(), Tensor(), rm, rv, p);
  for (int c = 0; c < 2; ++c) {
    double s = 0, sq = 0;
    for (int n = 0; n < 4; ++n) {
      for (int i = 0; i < 9; ++i) s += x.data()[(n * 2 + c) * 9 + i];
    }
    const double mean = s / 36;
    for (int n = 0; n < 4; ++n) {
      for (int i = 0; i < 9; ++i) sq += std::pow(x.data()[(n * 2 + c) * 9 + i] - mean, 2);
    }
    EXPECT_NEAR(rm.data()[c], 0.75 * 0.5 + 0.25 * mean, 1e-5);
    EXPECT_NEAR(rv.data()[c], 0.75 * 2.0 + 0.25 * sq / 35, 1e-5);
    EXPECT_NEAR(y.data()[c * 9], (x.data()[c * 9] - mean) / std::sqrt(sq / 36 + 1e-5), 1e-4);
  }
}

TEST(OpsNn, PoolGradients) {
  for (const Shape& s : {Shape{1, 1, 2, 2}, Shape{2, 3, 7, 5}, Shape{1, 2, 9, 9}}) {
    SCOPED_TRACE(ShapeStr(s));
    for (const Pool2dParams& p :
         {Pool2dParams{2, 2, 0}, Pool2dParams{3, 2, 1}, Pool2dParams{2, 1, 0}}) {
      if (s[2] < p.kernel - 2 * p.padding) continue;
      EXPECT_TRUE(GradCheck([p](const V& x) { return MaxPool2d(x[0], p); }, {R(s, 1)}));
      EXPECT_TRUE(GradCheck([p](const V& x) { return AvgPool2d(x[0], p); }, {R(s, 1)}));
    }
    EXPECT_TRUE(GradCheck([](const V& x) { return GlobalAvgPool(x[0]); }, {R(s, 1)}));
  }
}

TEST(OpsNn, LinearGradients) {
  EXPECT_TRUE(GradCheck([](const V& x) { return Linear(x[0], x[1], x[2]); },
                        {R({1, 1}, 1), R({1, 1}, 2), R({1}, 3)}));
  EXPECT_TRUE(GradCheck([](const V& x) { return Linear(x[0], x[1], x[2]); },
                        {R({5, 7}, 1), R({3, 7}, 2), R({3}, 3)}));
  EXPECT_TRUE(GradCheck([](const V& x) { return Linear(x[0], x[1], Tensor()); },
                        {R({4, 13}, 1), R({11, 13}, 2)}));
}

TEST(OpsNnDeathTest, ShapeErrorsNameTheOpAndBothShapes) {
  const Tensor x = Tensor::Zeros({2, 3, 5, 5}), w = Tensor::Zeros({4, 2, 3, 3});
  EXPECT_DEATH(Conv2d(x, w, Tensor(), {}), "Conv2d: x \\(2, 3, 5, 5\\) w \\(4, 2, 3, 3\\)");
  EXPECT_DEATH(Linear(Tensor::Zeros({2, 3}), Tensor::Zeros({4, 5}), Tensor()),
               "Linear: x \\(2, 3\\) w \\(4, 5\\)");
  EXPECT_DEATH(Add(Tensor::Zeros({2, 3}), Tensor::Zeros({4})),
               "Add: shapes \\(2, 3\\) and \\(4,\\) do not broadcast");
}

}  // namespace
}  // namespace strata
