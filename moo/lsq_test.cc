// LSQ hooks/recipe, the per-bit-width state containers and the vertical-layering baselines
// on a small ResNet-20: 16-bit LSQ equals FP up to the quantization error, bad plans are
// Statuses naming layer and value, shared-affine BN ties, nested codes are nested.
#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "models/models.h"
#include "moo/baselines.h"
#include "moo/lsq.h"
#include "moo/quant_state.h"
#include "quant/quant.h"

namespace strata {
namespace moo {
namespace {

std::unique_ptr<models::Network> Net(int bn_variants = 1) {
  models::ModelSpec spec;
  spec.name = "resnet20", spec.width = 0.25, spec.in_channels = 1, spec.num_classes = 10;
  spec.input_size = 32, spec.seed = 5, spec.bn_variants = bn_variants;
  StatusOr<std::unique_ptr<models::Network>> net = models::Build(spec);
  CHECK(net.ok()) << net.status().ToString();
  return std::move(net).value();
}

Tensor Images(int n, uint64_t seed) {
  Tensor x = Tensor::Empty({n, 1, 32, 32});
  const Philox rng(seed, 0);
  for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = rng.Normal(i);
  return x;
}

TEST(LsqTest, SixteenBitsEqualsFpUpToQuantizationError) {
  auto net = Net();
  PrecisionPlan plan;
  plan.w_bits = plan.a_bits = 16;
  StatusOr<std::unique_ptr<LsqRecipe>> r = LsqRecipe::Create(plan, *net);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r.value()->BeginStage(0, false, *net).ok());
  const Tensor x = Images(8, 1);
  models::ForwardContext fp;
  const Tensor y_fp = net->Forward(x, fp);
  models::ForwardContext q = r.value()->Evals()[0].ctx;
  const Tensor y_q = net->Forward(x, q);
  double max_diff = 0, max_abs = 0;
  for (int64_t i = 0; i < y_fp.numel(); ++i) {
    max_diff = std::max<double>(max_diff, std::fabs(y_fp.data()[i] - y_q.data()[i]));
    max_abs = std::max<double>(max_abs, std::fabs(y_fp.data()[i]));
  }
  // LSQ's initial step 2 mean|v| / sqrt(Qp) is mean|v| / 90 at 16 bits (not range / 2^16):
  // rounding noise of ~0.3 % of a typical value per layer (s / sqrt(12)), compounded over
  // 18 quantized layers (weights and inputs) gives ~1 %; 2 % of the largest logit is the bound.
  EXPECT_LT(max_diff, 2e-2 * max_abs) << "16-bit LSQ must track FP";
  // ... and 2 bits must not (the test can fail).
  plan.w_bits = plan.a_bits = 2;
  auto r2 = LsqRecipe::Create(plan, *net);
  ASSERT_TRUE(r2.ok());
  ASSERT_TRUE(r2.value()->BeginStage(0, false, *net).ok());
  const Tensor y2 = net->Forward(x, r2.value()->Evals()[0].ctx);
  double diff2 = 0;
  for (int64_t i = 0; i < y_fp.numel(); ++i) diff2 = std::max<double>(diff2, std::fabs(y_fp.data()[i] - y2.data()[i]));
  EXPECT_GT(diff2, 10 * max_diff);
}

TEST(LsqTest, PlanFirstLastFpByDefaultEightBitOption) {
  auto net = Net();
  PrecisionPlan plan;
  plan.w_bits = plan.a_bits = 3;
  auto layers = ResolvePlan(plan, *net, "lsq.plan");
  ASSERT_TRUE(layers.ok());
  EXPECT_EQ(layers.value().size(), net->layers().size() - 2);
  EXPECT_EQ(layers.value().front().name, net->layers()[1]->info().name);
  plan.eight_bit_ends = true;
  plan.layers.push_back({"layer1.0.conv1", 4, 5});
  layers = ResolvePlan(plan, *net, "lsq.plan");
  ASSERT_TRUE(layers.ok());
  ASSERT_EQ(layers.value().size(), net->layers().size());
  EXPECT_EQ(layers.value().front().w_bits[0], 8);
  EXPECT_EQ(layers.value().back().a_bits[0], 8);
  EXPECT_EQ(layers.value()[1].w_bits[0], 4);
  EXPECT_EQ(layers.value()[1].a_bits[0], 5);
}

TEST(LsqTest, BadPlansAreStatusesNamingLayerAndValue) {
  auto net = Net();
  auto expect = [&](const PrecisionPlan& plan, const std::string& needle1, const std::string& needle2) {
    auto r = ResolvePlan(plan, *net, "lsq.plan");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(needle1), std::string::npos) << r.status().ToString();
    EXPECT_NE(r.status().message().find(needle2), std::string::npos) << r.status().ToString();
  };
  PrecisionPlan p;
  p.w_bits = 17, p.a_bits = 2;
  expect(p, "lsq.plan.w_bits", "17");
  p.w_bits = 2, p.a_bits = 0;
  expect(p, "lsq.plan.a_bits", "0");
  p.a_bits = 2;
  p.layers.push_back({"layer9.conv", 4, 4});
  expect(p, "'layer9.conv'", "layer1.0.conv1");  // lists the real names
  p.layers[0] = {"layer1.0.conv2", 4, 0};
  expect(p, "layer1.0.conv2", "no quantizer");
  p.layers[0] = {"layer1.0.conv2", 0, 20};
  expect(p, "layer1.0.conv2", "a_bits 20");
  p.layers[0] = {"layer1.0.conv2", 4, 20};
  expect(p, "layer1.0.conv2", "20");
  p.layers[0] = {"layer1.0.conv2", 4, 4};
  p.layers.push_back({"layer1.0.conv2", 3, 3});
  expect(p, "layers[1]", "twice");
}

TEST(QuantStateTest, ActivationSignDecidesRangeAndIsRecorded) {
  auto net = Net();
  std::vector<LayerBits> layers = UniformSlots(*net, {2, 4});
  ActivationSteps act(layers, {"w2a2", "w4a4"}, ActInit::kLsq);
  const models::Layer& l = *net->layers()[1];
  Tensor pos = Tensor::FromVector({1, 4}, {0.f, 1.f, 2.f, 3.f});
  Tensor neg = Tensor::FromVector({1, 4}, {-1.f, 1.f, 2.f, 3.f});
  act.Quantize(l, pos, 0);
  act.Quantize(l, neg, 1);
  const Tensor& flags = *act.State().Find("a_step.flags");
  EXPECT_EQ(flags.data()[0], 1.f);  // layer row 0, slot 0: unsigned
  EXPECT_EQ(flags.data()[1], 2.f);  // slot 1: signed
  EXPECT_FALSE(act.initialised(0));  // other layers have not seen a batch
  // The step is LSQ's init 2 mean|x| / sqrt(Qp): 2 * 1.5 / sqrt(3) for unsigned 2 bits.
  EXPECT_FLOAT_EQ(act.Parameters().Find(l.info().name + ".a_step.w2a2")->item(),
                  2 * 1.5f / std::sqrt(3.f));
}

TEST(QuantStateTest, ActivationStepDecisionsAndReset) {
  auto net = Net();
  const std::vector<LayerBits> layers = UniformSlots(*net, {2, 3});
  const models::Layer& l = *net->layers()[1];
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (ActInit init : {ActInit::kLsq, ActInit::kMax}) {
    SCOPED_TRACE(init == ActInit::kLsq ? "lsq" : "max");
    ActivationSteps act(layers, {"w2a2", "w3a3"}, init);
    act.Quantize(l, Tensor::Zeros({1, 4}), 0);  // a dead input: the unit range's max step
    EXPECT_EQ(act.step(l.info().index, 0).item(), 1.f / 3.f);
    act.Quantize(l, Tensor::FromVector({1, 2}, {1.f, nan}), 1);  // diverged: NaN, not 1
    EXPECT_TRUE(std::isnan(act.step(l.info().index, 1).item()));
    act.Quantize(l, Tensor::FromVector({1, 2}, {-6.f, 1.f}), 0);  // already set: no change
    EXPECT_EQ(act.step(l.info().index, 0).item(), 1.f / 3.f);
    EXPECT_FALSE(act.is_signed(l.info().index, 0));
    act.Reset();
    act.Quantize(l, Tensor::FromVector({1, 2}, {-6.f, 1.f}), 0);
    EXPECT_TRUE(act.is_signed(l.info().index, 0));
    // kMax: max|x| / (2^b - 1) = 6 / 3 for signed and unsigned alike; kLsq: 2 mean|x| /
    // sqrt(Qp) with the signed Qp = 1.
    EXPECT_FLOAT_EQ(act.step(l.info().index, 0).item(), init == ActInit::kMax ? 2.f : 7.f);
  }
}

TEST(QuantStateTest, SharedAffineTiesGradsAndValues) {
  auto net = Net(3);
  BnSlots bn(BnMode::kSharedAffine, 3);
  EXPECT_EQ(bn.variants(), 3);
  EXPECT_EQ(BnSlots(BnMode::kShared, 3).variants(), 1);
  EXPECT_EQ(BnSlots(BnMode::kShared, 3).variant(2), 0);
  const models::Norm& n = *net->norms()[0];
  Tensor w1 = n.bn(1).weight, w0 = n.bn(0).weight;
  w1.mutable_grad() = Tensor::Full(w1.shape(), 2.f);
  w0.mutable_grad() = Tensor::Full(w0.shape(), 1.f);
  bn.TieGrads(*net);
  EXPECT_EQ(w0.grad().data()[0], 3.f);
  EXPECT_EQ(w1.grad().data()[0], 0.f);
  w0.data()[0] = 42.f;
  bn.TieValues(*net);
  EXPECT_EQ(n.bn(2).weight.data()[0], 42.f);
  EXPECT_NE(n.bn(2).running_mean.data(), n.bn(0).running_mean.data());
}

// q_b = 2 q_{b-1} + e_b: the codes of every slot are nested, and r starts at the nearer level.
TEST(BaselinesTest, NestedCodesAreNested) {
  auto net = Net(3);
  NestedOptions o;
  auto r = CotrainRecipe::Create(o, *net);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.value()->BeginStage(0, false, *net).ok());
  const std::vector<EvalPoint> evals = r.value()->Evals();
  ASSERT_EQ(evals.size(), 3u);
  EXPECT_EQ(evals[2].name, "w4a4");
  const models::Layer& l = *net->layers()[3];
  const float s_w = r.value()->Parameters().Find(l.info().name + ".w_step")->item();
  std::vector<Tensor> w_hat;
  for (int s = 0; s < 3; ++s) w_hat.push_back(evals[s].ctx.hooks->Weight(l, l.weight(), evals[s].ctx));
  int64_t moved = 0;
  for (int64_t i = 0; i < l.weight().numel(); ++i) {
    const double q2 = w_hat[0].data()[i] / s_w, q3 = w_hat[1].data()[i] / (s_w / 2),
                 q4 = w_hat[2].data()[i] / (s_w / 4);
    ASSERT_NEAR(q2, std::round(q2), 1e-4);
    ASSERT_GE(q2, -2);
    ASSERT_LE(q2, 1);
    const double e3 = q3 - 2 * q2, e4 = q4 - 2 * q3;
    ASSERT_TRUE(std::fabs(e3) < 1e-3 || std::fabs(e3 - 1) < 1e-3) << e3;
    ASSERT_TRUE(std::fabs(e4) < 1e-3 || std::fabs(e4 - 1) < 1e-3) << e4;
    // e_3 picks the nearer of the two candidates for the latent weight.
    const double w = l.weight().data()[i];
    const double lo = w_hat[0].data()[i], hi = lo + s_w / 2;
    if (std::fabs(std::fabs(w - lo) - std::fabs(w - hi)) > 1e-6) {
      ASSERT_EQ(e3 > 0.5, std::fabs(w - hi) < std::fabs(w - lo)) << i;
    }
    moved += e3 > 0.5;
  }
  EXPECT_GT(moved, 0);
}

}  // namespace
}  // namespace moo
}  // namespace strata
