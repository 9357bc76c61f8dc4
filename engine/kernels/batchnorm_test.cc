#include "engine/kernels/batchnorm.h"

#include <cfloat>
#include <cmath>
#include <vector>

#include "engine/kernels/test_util.h"
#include "engine/parallel.h"
#include "gtest/gtest.h"

namespace strata {
namespace kernels {
namespace {

struct BnRun {
  std::vector<float> y, mean, invstd, rmean, rvar, dx, dgamma, dbeta;
};

// Forward (train) then backward, fast or reference. x is offset by 3 so that the statistics
// must not cancel; dx, dgamma, dbeta start random to check accumulation.
BnRun RunBatchNorm(const BatchNormShape& s, Activation act, bool reference, uint64_t seed) {
  const int64_t n = int64_t(s.N) * s.C * s.HW;
  auto x = RandomVector(n, seed, 1);
  for (float& v : x) v += 3.f;
  const auto gamma = RandomVector(s.C, seed, 2), beta = RandomVector(s.C, seed, 3);
  const auto dy = RandomVector(n, seed, 4);
  BnRun r{std::vector<float>(n),      std::vector<float>(s.C),    std::vector<float>(s.C),
          RandomVector(s.C, seed, 5), RandomVector(s.C, seed, 6), RandomVector(n, seed, 7),
          RandomVector(s.C, seed, 8), RandomVector(s.C, seed, 9)};
  for (float& v : r.rvar) v = std::fabs(v);
  (reference ? BatchNormForwardTrainReference : BatchNormForwardTrain)(
      s, x.data(), gamma.data(), beta.data(), 1e-5f, 0.1f, r.rmean.data(), r.rvar.data(), act,
      r.y.data(), r.mean.data(), r.invstd.data());
  (reference ? BatchNormBackwardReference : BatchNormBackward)(
      s, x.data(), r.y.data(), dy.data(), gamma.data(), r.mean.data(), r.invstd.data(), act,
      r.dx.data(), r.dgamma.data(), r.dbeta.data());
  return r;
}

void ExpectOutputsAgree(const BatchNormShape& s, const BnRun& fast, const BnRun& ref, int64_t M) {
  for (size_t i = 0; i < ref.y.size(); ++i) {
    const int c = int(i / s.HW % s.C);
    const double amplify = 1.0 + std::fabs(ref.mean[c]) * ref.invstd[c];  // |gamma|, |beta| <= 1
    const double tol = 8 * FLT_EPSILON * std::sqrt(double(M) + 1) * (std::fabs(ref.y[i]) + amplify);
    ASSERT_LE(std::fabs(fast.y[i] - ref.y[i]), tol) << "y element " << i;
  }
}

TEST(BatchNormTest, TrainForwardAndBackwardAgreeWithReference) {
  uint64_t seed = 0;
  for (int N : {1, 2, 5}) {
    for (int C : {1, 3, 16, 17}) {
      for (int HW : {1, 7, 8, 9, 64, 1023}) {
        if (N * HW == 1) continue;
        for (Activation act : {Activation::kNone, Activation::kReLU, Activation::kReLU6}) {
          const BatchNormShape s{N, C, HW};
          const int64_t M = int64_t(N) * HW;
          const BnRun fast = RunBatchNorm(s, act, false, ++seed),
                      ref = RunBatchNorm(s, act, true, seed);
          SCOPED_TRACE(::testing::Message() << "N=" << N << " C=" << C << " HW=" << HW
                                            << " act=" << int(act) << " seed=" << seed);
          // Statistics: relative error ~ eps * sqrt(M). Outputs: the float mean's error
          // (eps * sqrt(M) * |mean|) is amplified by |gamma| * invstd.
          ExpectOutputsAgree(s, fast, ref, M);
          EXPECT_TRUE(Agree(fast.mean, ref.mean, M, 0.0));
          EXPECT_TRUE(Agree(fast.invstd, ref.invstd, M, 0.0));
          EXPECT_TRUE(Agree(fast.rmean, ref.rmean, M, 0.0));
          EXPECT_TRUE(Agree(fast.rvar, ref.rvar, M, 0.0));
          // Gradients are sums of M terms bounded by |dy| * |xhat| <= 2.
          EXPECT_TRUE(Agree(fast.dx, ref.dx, M, 2.0 / std::sqrt(double(M))));
          EXPECT_TRUE(Agree(fast.dgamma, ref.dgamma, M, 2.0));
          EXPECT_TRUE(Agree(fast.dbeta, ref.dbeta, M, 1.0));
        }
      }
    }
  }
}

TEST(BatchNormTest, EvalUsesRunningStatisticsAndMayAlias) {
  const BatchNormShape s{2, 3, 13};
  auto x = RandomVector(2 * 3 * 13, 1, 1);
  const std::vector<float> gamma{1.f, 2.f, -1.f}, beta{0.f, 0.5f, 1.f};
  const std::vector<float> mean{0.1f, -0.2f, 0.3f}, var{1.f, 4.f, 0.25f};
  std::vector<float> expect(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const int c = int(i / 13 % 3);
    const double v = gamma[c] * (x[i] - mean[c]) / std::sqrt(var[c] + 1e-5) + beta[c];
    expect[i] = float(std::min(std::max(v, 0.0), 6.0));
  }
  BatchNormForwardEval(s, x.data(), gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f,
                       Activation::kReLU6, x.data());
  EXPECT_TRUE(Agree(x, expect, 1, 0.0));
}

TEST(BatchNormTest, BitIdenticalForOneTwoThreeThreads) {
  const BatchNormShape s{9, 17, 100};
  SetNumThreads(1);
  const BnRun one = RunBatchNorm(s, Activation::kReLU, false, 3);
  for (int threads : {2, 3}) {
    SetNumThreads(threads);
    const BnRun many = RunBatchNorm(s, Activation::kReLU, false, 3);
    EXPECT_TRUE(BitIdentical(one.y, many.y)) << threads;
    EXPECT_TRUE(BitIdentical(one.rvar, many.rvar)) << threads;
    EXPECT_TRUE(BitIdentical(one.dx, many.dx)) << threads;
    EXPECT_TRUE(BitIdentical(one.dgamma, many.dgamma)) << threads;
    EXPECT_TRUE(BitIdentical(one.dbeta, many.dbeta)) << threads;
  }
  SetNumThreads(2);
}

TEST(BatchNormDeathTest, SingleValuePerChannelIsRejected) {
  const BatchNormShape s{1, 2, 1};
  std::vector<float> v(2);
  EXPECT_DEATH(BatchNormForwardTrain(s, v.data(), nullptr, nullptr, 1e-5f, 0.1f, nullptr, nullptr,
                                     Activation::kNone, v.data() + 0, v.data(), v.data()),
               "BatchNormForwardTrain");
}

}  // namespace
}  // namespace kernels
}  // namespace strata
