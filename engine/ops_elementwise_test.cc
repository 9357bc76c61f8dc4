// Finite-difference checks (gradcheck.h) of the elementwise, reduction, softmax, loss and
// shape ops over awkward sizes (1, primes, odd spatial sizes), plus exact checks of the
// straight-through estimators and of dropout's determinism.
#include <cmath>
#include <vector>

#include "engine/autograd.h"
#include "engine/gradcheck.h"
#include "engine/ops.h"
#include "engine/parallel.h"
#include "engine/rng.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

using V = std::vector<Tensor>;

Tensor R(const Shape& s, uint64_t stream, float lo = -1.f, float hi = 1.f) {
  return RandomTensor(s, 7, stream, lo, hi);
}

TEST(OpsElementwise, BinarySameShape) {
  for (const Shape& s : {Shape{1}, Shape{7}, Shape{3, 5}, Shape{2, 3, 5, 7}}) {
    EXPECT_TRUE(GradCheck([](const V& x) { return Add(x[0], x[1]); }, {R(s, 1), R(s, 2)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Sub(x[0], x[1]); }, {R(s, 1), R(s, 2)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Mul(x[0], x[1]); }, {R(s, 1), R(s, 2)}));
    EXPECT_TRUE(
        GradCheck([](const V& x) { return Div(x[0], x[1]); }, {R(s, 1), R(s, 2, 0.5f, 1.5f)}));
  }
}

TEST(OpsElementwise, BinaryBroadcast) {
  const Shape a{2, 3, 5, 5};
  for (const Shape& b :
       {Shape{1, 3, 1, 1}, Shape{3, 1, 1}, Shape{1}, Shape{5}, Shape{2, 1, 5, 1}}) {
    SCOPED_TRACE(ShapeStr(b));
    EXPECT_TRUE(GradCheck([](const V& x) { return Add(x[0], x[1]); }, {R(a, 1), R(b, 2)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Sub(x[1], x[0]); }, {R(a, 1), R(b, 2)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Mul(x[0], x[1]); }, {R(a, 1), R(b, 2)}));
    EXPECT_TRUE(
        GradCheck([](const V& x) { return Div(x[0], x[1]); }, {R(a, 1), R(b, 2, 0.5f, 1.5f)}));
    EXPECT_TRUE(
        GradCheck([](const V& x) { return Div(x[1], x[0]); }, {R(a, 1, 0.5f, 1.5f), R(b, 2)}));
  }
}

TEST(OpsElementwise, SameInputTwice) {
  EXPECT_TRUE(GradCheck([](const V& x) { return Add(x[0], x[0]); }, {R({3, 5}, 1)}));
  EXPECT_TRUE(GradCheck([](const V& x) { return Mul(x[0], x[0]); }, {R({3, 5}, 1)}));
}

TEST(OpsElementwise, Unary) {
  for (const Shape& s : {Shape{1}, Shape{13}, Shape{2, 3, 7, 5}}) {
    EXPECT_TRUE(GradCheck([](const V& x) { return Scale(x[0], -2.5f); }, {R(s, 1)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return AddScalar(x[0], 3.f); }, {R(s, 1)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Neg(x[0]); }, {R(s, 1)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Sqrt(x[0]); }, {R(s, 1, 0.5f, 2.f)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Abs(x[0]); }, {R(s, 3)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Square(x[0]); }, {R(s, 1, 0.2f, 1.5f)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Exp(x[0]); }, {R(s, 1)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Log(x[0]); }, {R(s, 1, 0.5f, 2.f)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Clamp(x[0], -0.5f, 0.25f); }, {R(s, 4)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Relu(x[0]); }, {R(s, 5)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return Relu6(x[0]); }, {R(s, 6, -3.f, 9.f)}));
  }
}

TEST(OpsElementwise, ClampMaskIsExactlyInsideRange) {
  Tensor x = Tensor::FromVector({4}, {-2.f, -0.5f, 0.3f, 4.f}).set_requires_grad(true);
  Backward({Clamp(x, -0.5f, 1.f)});
  EXPECT_EQ(x.grad().ToVector(), (std::vector<float>{0.f, 1.f, 1.f, 0.f}));
}

TEST(OpsElementwise, StraightThroughRoundAndFloor) {
  Tensor x = Tensor::FromVector({5}, {-1.5f, -0.4f, 0.5f, 1.49f, 2.7f}).set_requires_grad(true);
  const Tensor r = RoundSte(x), f = FloorSte(x);
  EXPECT_EQ(r.ToVector(), (std::vector<float>{-2.f, -0.f, 1.f, 1.f, 3.f}));
  EXPECT_EQ(f.ToVector(), (std::vector<float>{-2.f, -1.f, 0.f, 1.f, 2.f}));
  const Tensor dy = Tensor::FromVector({5}, {1.f, 2.f, 3.f, 4.f, 5.f});
  Backward({r, f}, {dy, dy});
  EXPECT_EQ(x.grad().ToVector(), (std::vector<float>{2.f, 4.f, 6.f, 8.f, 10.f}));
}

TEST(OpsElementwise, GradScaleIsIdentityForwardScaledBackward) {
  Tensor s = Tensor::FromVector({1}, {0.5f}).set_requires_grad(true);
  const Tensor v = RandomTensor({3, 4}, 1, 1, -1.f, 1.f, false);
  const Tensor scaled = GradScale(s, 0.25f);
  EXPECT_EQ(scaled.item(), 0.5f);
  Backward({Sum(Mul(v, scaled))});
  double sum_v = 0;
  for (float x : v.ToVector()) sum_v += x;
  EXPECT_NEAR(s.grad().item(), 0.25 * sum_v, 1e-6);
}

TEST(OpsReduce, SumAndMeanOverAxes) {
  const Shape s{2, 3, 5, 7};
  const std::vector<std::vector<int>> axes = {{}, {0}, {1}, {-1}, {0, 2, 3}, {1, 3}, {0, 1, 2, 3}};
  for (const auto& a : axes) {
    for (bool keep : {false, true}) {
      EXPECT_TRUE(GradCheck([&](const V& x) { return Sum(x[0], a, keep); }, {R(s, 1)}));
      EXPECT_TRUE(GradCheck([&](const V& x) { return Mean(x[0], a, keep); }, {R(s, 1)}));
    }
  }
}

TEST(OpsReduce, SumValuesAndShapes) {
  const Tensor x = Tensor::FromVector({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Sum(x).shape(), Shape{});
  EXPECT_FLOAT_EQ(Sum(x).item(), 21.f);
  EXPECT_EQ(Sum(x, {0}).ToVector(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(Sum(x, {1}, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(Mean(x, {-1}).ToVector(), (std::vector<float>{2, 5}));
}

TEST(OpsReduce, LongReductionIsThreadCountIndependent) {
  const Tensor x = RandomTensor({3, 100003}, 1, 2, -1.f, 1.f, false);
  SetNumThreads(1);
  const auto one = Sum(x, {1}).ToVector();
  SetNumThreads(2);
  const auto two = Sum(x, {1}).ToVector();
  EXPECT_EQ(one, two);
  double ref = 0;
  for (int i = 0; i < 100003; ++i) ref += x.data()[i];
  EXPECT_NEAR(one[0], ref, 1e-4);
}

TEST(OpsReduce, SoftmaxLogSoftmaxCrossEntropy) {
  for (const Shape& s : {Shape{1, 1}, Shape{3, 7}, Shape{5, 13}, Shape{2, 3, 5}}) {
    EXPECT_TRUE(GradCheck([](const V& x) { return Softmax(x[0]); }, {R(s, 1, -3.f, 3.f)}));
    EXPECT_TRUE(GradCheck([](const V& x) { return LogSoftmax(x[0]); }, {R(s, 1, -3.f, 3.f)}));
  }
  const std::vector<int32_t> labels = {0, 6, 3, 3, 1};
  EXPECT_TRUE(
      GradCheck([&](const V& x) { return CrossEntropy(x[0], labels); }, {R({5, 7}, 2, -3.f, 3.f)}));
  EXPECT_TRUE(GradCheck([&](const V& x) { return CrossEntropy(x[0], {0}); }, {R({1, 1}, 2)}));
}

TEST(OpsReduce, CrossEntropyValue) {
  const Tensor logits = Tensor::FromVector({2, 3}, {1.f, 2.f, 3.f, 0.f, 0.f, 0.f});
  const double l0 = -(1.0 - 3.0 - std::log(std::exp(-2.0) + std::exp(-1.0) + 1.0));
  const double l1 = std::log(3.0);
  EXPECT_NEAR(CrossEntropy(logits, {0, 2}).item(), (l0 + l1) / 2, 1e-6);
}

TEST(OpsShape, ReshapeAndFlatten) {
  EXPECT_TRUE(GradCheck(
      [](const V& x) {
        return Mul(Reshape(x[0], {5, -1}), x[1]);
      },
      {R({3, 5, 1}, 1), R({5, 3}, 2)}));
  EXPECT_TRUE(GradCheck([](const V& x) { return Square(Flatten(x[0])); }, {R({2, 3, 5, 5}, 1)}));
  const Tensor x = R({2, 3, 4}, 3);
  EXPECT_EQ(Flatten(x).shape(), (Shape{2, 12}));
  EXPECT_EQ(Flatten(x).data(), x.data());  // a view, no copy
}

TEST(OpsDropout, DeterministicMaskAndGradient) {
  const Tensor x = R({4, 3, 5, 5}, 1);
  const Tensor a = Dropout(x, 0.3f, true, 11, 5), b = Dropout(x, 0.3f, true, 11, 5);
  const Tensor c = Dropout(x, 0.3f, true, 11, 6);
  EXPECT_EQ(a.ToVector(), b.ToVector());
  EXPECT_NE(a.ToVector(), c.ToVector());
  int64_t zeros = 0;
  for (float v : a.ToVector()) zeros += v == 0.f;
  EXPECT_NEAR(double(zeros) / a.numel(), 0.3, 0.06);
  EXPECT_EQ(Dropout(x, 0.3f, false, 11, 5).data(), x.data());
  EXPECT_TRUE(GradCheck([](const V& v) { return Dropout(v[0], 0.3f, true, 11, 5); }, {x}));
}

// ops.h's definition, element by element, on a size that is not a multiple of the four
// uniforms a Philox block gives.
TEST(OpsDropout, MaskIsPhiloxUniformAtEachIndex) {
  const Tensor x = R({3, 7}, 2);
  const float p = 0.4f;
  const Philox rng(9, 4);
  const std::vector<float> y = Dropout(x, p, true, 9, 4).ToVector(), xv = x.ToVector();
  for (int64_t i = 0; i < x.numel(); ++i) {
    EXPECT_EQ(y[i], rng.Uniform(i) >= p ? xv[i] * (1.f / (1.f - p)) : 0.f) << i;
  }
}

}  // namespace
}  // namespace strata
