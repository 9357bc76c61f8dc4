// Ensemble against hand-worked cases: mean of softmax (not of logits or votes), ties,
// one member = the member's own top-1.
#include "moo/ensemble.h"

#include <cmath>

#include "gtest/gtest.h"
#include "moo/recipe.h"

namespace strata {
namespace moo {
namespace {

TEST(EnsembleTest, MeanOfProbabilitiesNotVotes) {
  // Two examples, three classes. Member A is confident on class 0 for example 0; members
  // B and C weakly prefer class 1: a majority vote says 1, the mean of probabilities 0.
  Ensemble e(2, 3);
  e.Add({0.9f, 0.05f, 0.05f, 0.1f, 0.2f, 0.7f});
  e.Add({0.3f, 0.4f, 0.3f, 0.1f, 0.2f, 0.7f});
  e.Add({0.3f, 0.4f, 0.3f, 0.6f, 0.3f, 0.1f});
  EXPECT_EQ(e.members(), 3);
  EXPECT_NEAR(e.Mean(0, 0), 0.5, 1e-7);
  EXPECT_NEAR(e.Mean(1, 2), 0.5, 1e-7);
  EXPECT_DOUBLE_EQ(e.Top1Percent({0, 2}), 100.0);
  EXPECT_DOUBLE_EQ(e.Top1Percent({1, 2}), 50.0);
}

TEST(EnsembleTest, TiesGoToTheLowerClass) {
  Ensemble e(1, 3);
  e.Add({0.2f, 0.4f, 0.4f});
  EXPECT_DOUBLE_EQ(e.Top1Percent({1}), 100.0);
  EXPECT_DOUBLE_EQ(e.Top1Percent({2}), 0.0);
}

TEST(EnsembleTest, OneMemberMatchesItsLogitsTop1) {
  const Tensor logits = Tensor::FromVector({4, 3}, {1, 2, 3, 5, -1, 0, 0, 0, 7, 2, 2, -3});
  const std::vector<int32_t> labels = {2, 0, 1, 0};
  const std::vector<float> p = SoftmaxRows(logits);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-6);
  EXPECT_NEAR(p[2], std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)), 1e-6);
  Ensemble e(4, 3);
  e.Add(p);
  EXPECT_DOUBLE_EQ(e.Top1Percent(labels), 100.0 * CountTop1(logits, labels) / 4);  // 75
}

}  // namespace
}  // namespace moo
}  // namespace strata
