#include "engine/kernels/softmax.h"

#include <cmath>
#include <vector>

#include "engine/kernels/test_util.h"
#include "gtest/gtest.h"

namespace strata {
namespace kernels {
namespace {

TEST(SoftmaxTest, AgreesWithReference) {
  for (int64_t M : {1, 3, 17}) {
    for (int64_t K : {1, 2, 10, 33, 1000}) {
      auto x = RandomVector(M * K, M * 1000 + K);
      for (float& v : x) v *= 20.f;  // large logits: the max subtraction matters
      std::vector<float> fast(M * K), ref(M * K), logp(M * K), prob(M * K);
      SoftmaxForward(M, K, x.data(), fast.data());
      SoftmaxForwardReference(M, K, x.data(), ref.data());
      EXPECT_TRUE(Agree(fast, ref, K)) << M << "x" << K;
      LogSoftmaxForward(M, K, x.data(), logp.data());
      for (int64_t i = 0; i < M * K; ++i) EXPECT_NEAR(std::exp(logp[i]), ref[i], 1e-6);
      std::vector<int32_t> label(M);
      for (int64_t m = 0; m < M; ++m) label[m] = static_cast<int32_t>((m * 7) % K);
      EXPECT_NEAR(CrossEntropyForward(M, K, x.data(), label.data(), prob.data()),
                  CrossEntropyForwardReference(M, K, x.data(), label.data()), 1e-5);
      EXPECT_TRUE(Agree(prob, ref, K));
    }
  }
}

TEST(SoftmaxTest, BackwardsAccumulate) {
  const int64_t M = 2, K = 5;
  const auto x = RandomVector(M * K, 1), dy = RandomVector(M * K, 2);
  std::vector<float> y(M * K), dx(M * K, 1.f), prob(M * K), dce(M * K, 1.f);
  SoftmaxForward(M, K, x.data(), y.data());
  SoftmaxBackward(M, K, y.data(), dy.data(), dx.data());
  const int32_t label[2] = {1, 4};
  CrossEntropyForward(M, K, x.data(), label, prob.data());
  CrossEntropyBackward(M, K, prob.data(), label, 2.f, dce.data());
  for (int64_t m = 0; m < M; ++m) {
    double dot = 0;
    for (int64_t k = 0; k < K; ++k) dot += dy[m * K + k] * y[m * K + k];
    for (int64_t k = 0; k < K; ++k) {
      EXPECT_NEAR(dx[m * K + k], 1.0 + y[m * K + k] * (dy[m * K + k] - dot), 1e-6);
      EXPECT_NEAR(dce[m * K + k], 1.0 + (prob[m * K + k] - (k == label[m])), 1e-6);
    }
  }
}

}  // namespace
}  // namespace kernels
}  // namespace strata
