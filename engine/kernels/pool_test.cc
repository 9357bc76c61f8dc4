#include "engine/kernels/pool.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "engine/kernels/test_util.h"
#include "engine/parallel.h"
#include "gtest/gtest.h"

namespace strata {
namespace kernels {
namespace {

PoolShape Shape(int N, int C, int H, int W, int R, int stride, int pad) {
  PoolShape s;
  s.N = N, s.C = C, s.H = H, s.W = W, s.R = s.S = R;
  s.stride_h = s.stride_w = stride;
  s.pad_h = s.pad_w = pad;
  return s;
}

std::vector<PoolShape> Shapes() {
  std::vector<PoolShape> v;
  for (int hw : {1, 2, 5, 8, 13}) {
    for (int R : {1, 2, 3}) {
      for (int stride : {1, 2, 3}) {
        for (int pad = 0; 2 * pad <= R; ++pad) {
          if (hw + 2 * pad >= R) v.push_back(Shape(2, 3, hw, hw + 1, R, stride, pad));
        }
      }
    }
  }
  return v;
}

TEST(PoolTest, MaxForwardAndBackwardMatchReference) {
  uint64_t seed = 0;
  for (const PoolShape& s : Shapes()) {
    const int64_t xn = int64_t(s.N) * s.C * s.H * s.W, yn = int64_t(s.N) * s.C * s.P() * s.Q();
    const auto x = RandomVector(xn, ++seed, 1), dy = RandomVector(yn, seed, 2);
    std::vector<float> y(yn), y_ref(yn);
    std::vector<int32_t> arg(yn), arg_ref(yn);
    MaxPool2dForward(s, x.data(), y.data(), arg.data());
    MaxPool2dForwardReference(s, x.data(), y_ref.data(), arg_ref.data());
    EXPECT_TRUE(BitIdentical(y, y_ref)) << "seed " << seed;
    EXPECT_EQ(arg, arg_ref) << "seed " << seed;
    // Backward: dy scattered to the argmax, outputs in scan order.
    auto dx = RandomVector(xn, seed, 3), dx_ref = dx;
    MaxPool2dBackward(s, dy.data(), arg.data(), dx.data());
    const int64_t PQ = int64_t(s.P()) * s.Q();
    for (int64_t o = 0; o < yn; ++o) dx_ref[o / PQ * s.H * s.W + arg_ref[o]] += dy[o];
    EXPECT_TRUE(BitIdentical(dx, dx_ref)) << "seed " << seed;
  }
}

TEST(PoolTest, MaxTiesAndNaNsPickWhatTheReferencePicks) {
  // Ties and NaNs in every window position: the first maximum in scan order wins, and the
  // 2x2 / stride-2 fast path keeps that rule (and the NaN behaviour) bit for bit.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float values[] = {0.f, 1.f, nan, 1.f, -2.f};
  std::vector<PoolShape> shapes;
  for (int hw : {2, 5, 8, 13, 16, 17}) shapes.push_back(Shape(2, 3, hw, hw + 1, 2, 2, 0));
  shapes.push_back(Shape(2, 3, 9, 10, 3, 1, 1));
  for (int pattern = 0; pattern < 5; ++pattern) {
    for (const PoolShape& s : shapes) {
      SCOPED_TRACE(testing::Message() << "pattern " << pattern << " H " << s.H << " R " << s.R);
      const int64_t xn = int64_t(s.N) * s.C * s.H * s.W, yn = int64_t(s.N) * s.C * s.P() * s.Q();
      std::vector<float> x(xn);
      for (int64_t i = 0; i < xn; ++i) x[i] = values[(i * (pattern + 2) + i / 5) % 5];
      std::vector<float> y(yn), y_ref(yn);
      std::vector<int32_t> arg(yn), arg_ref(yn);
      MaxPool2dForward(s, x.data(), y.data(), arg.data());
      MaxPool2dForwardReference(s, x.data(), y_ref.data(), arg_ref.data());
      EXPECT_TRUE(BitIdentical(y, y_ref));
      EXPECT_EQ(arg, arg_ref);
    }
  }
}

TEST(PoolTest, AvgForwardMatchesReferenceAndBackwardIsItsAdjoint) {
  uint64_t seed = 100;
  for (const PoolShape& s : Shapes()) {
    const int64_t xn = int64_t(s.N) * s.C * s.H * s.W, yn = int64_t(s.N) * s.C * s.P() * s.Q();
    const auto x = RandomVector(xn, ++seed, 1), dy = RandomVector(yn, seed, 2);
    std::vector<float> y(yn), y_ref(yn), dx(xn, 0.f);
    AvgPool2dForward(s, x.data(), y.data());
    AvgPool2dForwardReference(s, x.data(), y_ref.data());
    EXPECT_TRUE(Agree(y, y_ref, s.R * s.S, 1.0 / (s.R * s.S))) << "seed " << seed;
    // <dy, A x> == <A^T dy, x>.
    AvgPool2dBackward(s, dy.data(), dx.data());
    double lhs = 0, rhs = 0;
    for (int64_t i = 0; i < yn; ++i) lhs += double(dy[i]) * y_ref[i];
    for (int64_t i = 0; i < xn; ++i) rhs += double(dx[i]) * x[i];
    EXPECT_NEAR(lhs, rhs, 1e-5 * (1 + yn)) << "seed " << seed;
  }
}

TEST(PoolTest, GlobalAverage) {
  const int N = 3, C = 5, HW = 17;
  const auto x = RandomVector(N * C * HW, 1, 1), dy = RandomVector(N * C, 1, 2);
  std::vector<float> y(N * C), dx(N * C * HW, 1.f);
  GlobalAvgPoolForward(N, C, HW, x.data(), y.data());
  GlobalAvgPoolBackward(N, C, HW, dy.data(), dx.data());
  for (int i = 0; i < N * C; ++i) {
    double sum = 0;
    for (int j = 0; j < HW; ++j) sum += x[i * HW + j];
    EXPECT_FLOAT_EQ(y[i], float(sum / HW));
    for (int j = 0; j < HW; ++j) EXPECT_FLOAT_EQ(dx[i * HW + j], 1.f + dy[i] / HW);
  }
}

TEST(PoolTest, BitIdenticalForOneTwoThreeThreads) {
  const PoolShape s = Shape(5, 7, 15, 15, 3, 2, 1);
  const int64_t xn = int64_t(s.N) * s.C * s.H * s.W, yn = int64_t(s.N) * s.C * s.P() * s.Q();
  const auto x = RandomVector(xn, 1, 1), dy = RandomVector(yn, 1, 2);
  auto run = [&] {
    std::vector<float> y(yn), dx(xn, 0.f);
    AvgPool2dForward(s, x.data(), y.data());
    AvgPool2dBackward(s, dy.data(), dx.data());
    y.insert(y.end(), dx.begin(), dx.end());
    return y;
  };
  SetNumThreads(1);
  const auto one = run();
  for (int threads : {2, 3}) {
    SetNumThreads(threads);
    EXPECT_TRUE(BitIdentical(one, run())) << threads;
  }
  SetNumThreads(2);
}

TEST(PoolDeathTest, PaddingLargerThanHalfWindowIsRejected) {
  const PoolShape s = Shape(1, 1, 4, 4, 2, 1, 2);
  std::vector<float> x(16), y(64);
  EXPECT_DEATH(AvgPool2dForward(s, x.data(), y.data()), "AvgPool2dForward: pad");
}

}  // namespace
}  // namespace kernels
}  // namespace strata
