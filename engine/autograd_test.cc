// The tape: several losses through shared parameters, per-loss gradient sets, seeds,
// accumulation, no-grad, detach, intermediate gradients, graph release, pooled storage.
#include "engine/autograd.h"

#include <memory>

#include "engine/gradcheck.h"
#include "engine/ops.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

// Two losses sharing w (and a shared trunk h = relu(x w^T)).
struct TwoLosses {
  Tensor x = RandomTensor({4, 5}, 1, 1, -1.f, 1.f, false);
  Tensor w = RandomTensor({3, 5}, 1, 2);
  Tensor a = RandomTensor({3}, 1, 3);
  Tensor b = RandomTensor({3}, 1, 4);
  Tensor l1, l2;
  void Build() {
    const Tensor h = Relu(Linear(x, w, Tensor()));
    l1 = Sum(Mul(h, a));
    l2 = Mean(Square(Sub(h, b)));
  }
};

std::vector<float> GradOf(const Tensor& t) { return t.grad().ToVector(); }

void ExpectNear(const std::vector<float>& a, const std::vector<float>& b, float tol = 1e-6f) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "at " << i;
}

TEST(Autograd, MultiLossBackwardEqualsSumOfSeparatePasses) {
  TwoLosses t;
  t.Build();
  Backward({t.l1});
  const auto g1 = GradOf(t.w);
  t.w.ZeroGrad();
  Backward({t.l2});
  const auto g2 = GradOf(t.w);
  t.w.ZeroGrad();
  Backward({t.l1, t.l2});  // the same graph, walked a third time
  std::vector<float> sum(g1.size());
  for (size_t i = 0; i < g1.size(); ++i) sum[i] = g1[i] + g2[i];
  ExpectNear(GradOf(t.w), sum);
  t.w.ZeroGrad();
  Backward({t.l1, t.l2}, {Tensor::Full({}, 0.25f), Tensor::Full({}, 2.f)});
  for (size_t i = 0; i < g1.size(); ++i) sum[i] = 0.25f * g1[i] + 2.f * g2[i];
  ExpectNear(GradOf(t.w), sum);
}

TEST(Autograd, PerLossGradientsEqualSeparateBackwardAndLeaveGradAlone) {
  TwoLosses t;
  t.Build();
  const std::vector<Tensor> g1 = Grad(t.l1, {t.w, t.a});
  const std::vector<Tensor> g2 = Grad(t.l2, {t.w, t.a});
  EXPECT_FALSE(t.w.grad().defined());
  EXPECT_FALSE(t.a.grad().defined());
  EXPECT_EQ(g2[1].ToVector(), std::vector<float>(3, 0.f));  // l2 does not depend on a
  Backward({t.l1});
  ExpectNear(g1[0].ToVector(), GradOf(t.w), 0.f);
  ExpectNear(g1[1].ToVector(), GradOf(t.a), 0.f);
  t.w.ZeroGrad();
  Backward({t.l2});
  ExpectNear(g2[0].ToVector(), GradOf(t.w), 0.f);
  // Asking again gives the same answer: nothing was consumed.
  ExpectNear(Grad(t.l1, {t.w})[0].ToVector(), g1[0].ToVector(), 0.f);
}

TEST(Autograd, GradWithRespectToIntermediateAndConstantLeaves) {
  TwoLosses t;
  const Tensor h = Relu(Linear(t.x, t.w, Tensor()));
  const Tensor loss = Sum(Mul(h, t.a));
  const std::vector<Tensor> g = Grad(loss, {h, t.x});
  for (int n = 0; n < 4; ++n) {
    for (int j = 0; j < 3; ++j) EXPECT_EQ(g[0].data()[n * 3 + j], t.a.data()[j]);
  }
  EXPECT_EQ(g[1].shape(), t.x.shape());  // x does not require grad, yet Grad reaches it
}

TEST(Autograd, GradientsAccumulateUntilZeroed) {
  TwoLosses t;
  t.Build();
  Backward({t.l1});
  const auto once = GradOf(t.w);
  Backward({t.l1});
  for (size_t i = 0; i < once.size(); ++i) EXPECT_FLOAT_EQ(t.w.grad().data()[i], 2 * once[i]);
  const float* buffer = t.w.grad().data();
  t.w.ZeroGrad();
  Backward({t.l1});
  EXPECT_EQ(t.w.grad().data(), buffer);  // zeroing keeps the buffer; kernels += into it
  ExpectNear(GradOf(t.w), once, 0.f);
}

TEST(Autograd, NoGradRecordsNothing) {
  TwoLosses t;
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(GradEnabled());
    const Tensor y = Linear(t.x, t.w, Tensor());
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
    { NoGradGuard nested; }
    EXPECT_FALSE(GradEnabled());
  }
  EXPECT_TRUE(GradEnabled());
  EXPECT_TRUE(Linear(t.x, t.w, Tensor()).requires_grad());
}

TEST(Autograd, DetachStopsTheGradient) {
  TwoLosses t;
  const Tensor h = Linear(t.x, t.w, Tensor());
  const Tensor d = h.Detach();
  EXPECT_EQ(d.data(), h.data());
  EXPECT_FALSE(d.requires_grad());
  Backward({Sum(Mul(d, d))});
  EXPECT_FALSE(t.w.grad().defined());
  // Teacher-student pattern: only the student path carries a gradient.
  Backward({Sum(Mul(h, d))});
  std::vector<float> expected(15, 0.f);
  for (int o = 0; o < 3; ++o) {
    for (int i = 0; i < 5; ++i) {
      for (int n = 0; n < 4; ++n)
        expected[o * 5 + i] += d.data()[n * 3 + o] * t.x.data()[n * 5 + i];
    }
  }
  ExpectNear(GradOf(t.w), expected, 1e-5f);
}

TEST(Autograd, GraphIsReleasedWithItsLosses) {
  TwoLosses t;
  std::weak_ptr<Node> node;
  {
    t.Build();
    node = t.l1.node();
    Backward({t.l1, t.l2});
    EXPECT_FALSE(node.expired());
    t.l1 = Tensor();
    t.l2 = Tensor();
  }
  EXPECT_TRUE(node.expired());
}

TEST(Autograd, OpKindNames) {
  EXPECT_STREQ(OpKindName(OpKind::kConv2d), "conv2d");
  EXPECT_STREQ(OpKindName(OpKind::kReshape), "reshape");
}

TEST(Autograd, RegisteredOpKindsAreStableAndNamed) {
  const OpKind a = RegisterOpKind("test_quantizer_a");
  const OpKind b = RegisterOpKind("test_quantizer_b");
  EXPECT_NE(a, b);
  EXPECT_GE(static_cast<int>(a), static_cast<int>(OpKind::kCount));
  EXPECT_EQ(RegisterOpKind("test_quantizer_a"), a);  // the same name, the same kind
  EXPECT_STREQ(OpKindName(a), "test_quantizer_a");
  EXPECT_STREQ(OpKindName(b), "test_quantizer_b");
  EXPECT_DEATH(RegisterOpKind("conv2d"), "is an engine op");
}

TEST(StoragePool, SteadyStateStepsHitThePool) {
  TwoLosses t;
  t.Build();
  Backward({t.l1, t.l2});
  t.l1 = t.l2 = Tensor();
  const StoragePoolStats before = GetStoragePoolStats();
  t.Build();
  Backward({t.l1, t.l2});
  t.l1 = t.l2 = Tensor();
  const StoragePoolStats after = GetStoragePoolStats();
  EXPECT_GT(after.requests, before.requests);
  EXPECT_EQ(after.requests - before.requests, after.pool_hits - before.pool_hits);
}

}  // namespace
}  // namespace strata
