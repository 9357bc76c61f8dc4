// QAT + fine-tune keeps the codes nested (the fine-tuned widths' weights are exactly the
// floor-downsampled N-bit codes, and nothing but their BN and activation steps moves);
// AdaBits-style codes are independent per width, its loss and shared gradient are the sums
// of the widths'; weight storage reproduces the paper's ResNet-50 sizes.
#include "moo/qat_baselines.h"

#include <cmath>

#include "gtest/gtest.h"
#include "models/models.h"
#include "quant/quant.h"

namespace strata {
namespace moo {
namespace {

std::unique_ptr<models::Network> Net(int bn_variants) {
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

std::vector<int32_t> Labels(int n) {
  std::vector<int32_t> y;
  for (int i = 0; i < n; ++i) y.push_back((7 * i + 3) % 10);
  return y;
}

// One loop step as reports/trainer.cc takes it: zero grads, Step, SGD, AfterStep.
void TrainSteps(Recipe* r, const models::Network& net, int steps, uint64_t seed) {
  Sgd sgd({.momentum = 0.9f});
  sgd.AddGroup(net.params());
  sgd.AddGroup(r->Parameters(), 0.f);
  const std::vector<int32_t> labels = Labels(8);
  for (int s = 0; s < steps; ++s) {
    net.params().ZeroGrads();
    r->Parameters().ZeroGrads();
    StepInput in{&net, Images(8, seed + s), &labels, {}};
    in.ctx.training = true;
    const StepMetrics m = r->Step(in);
    ASSERT_TRUE(std::isfinite(m.loss));
    sgd.Step(0.05f);
    r->AfterStep(net);
  }
}

std::vector<float> Values(const Tensor& t) { return {t.data(), t.data() + t.numel()}; }

TEST(QatFinetuneTest, FineTunedWidthsAreExactlyTheDownsampledCodes) {
  auto net = Net(3);
  StatusOr<std::unique_ptr<QatFinetuneRecipe>> made = QatFinetuneRecipe::Create({}, *net);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  QatFinetuneRecipe& r = *made.value();
  ASSERT_EQ(r.Stages(), 2);
  ASSERT_TRUE(r.BeginStage(0, false, *net).ok());
  ASSERT_EQ(r.Evals().size(), 1u);
  EXPECT_EQ(r.Evals()[0].name, "w4a4");
  TrainSteps(&r, *net, 2, 10);  // LSQ at 4 bits moves w
  ASSERT_TRUE(r.BeginStage(1, false, *net).ok());
  ASSERT_EQ(r.Evals().size(), 3u);
  // Everything but the lower widths' BN and activation steps, before fine-tuning.
  std::map<std::string, std::vector<float>> before;
  for (const NamedTensor& t : net->params().entries()) before[t.name] = Values(t.tensor);
  const ParameterSet recipe_params = r.Parameters();
  for (const NamedTensor& t : recipe_params.entries()) before[t.name] = Values(t.tensor);
  TrainSteps(&r, *net, 3, 20);
  int changed_lower_bn = 0, changed_other = 0;
  for (const NamedTensor& t : net->params().entries()) {
    const bool lower_bn = t.name.find(".v1.") == std::string::npos &&
                          t.name.find(".v2.") == std::string::npos &&
                          t.name.find("bn") != std::string::npos;
    const bool lower_variant = t.name.find(".v1.") != std::string::npos || lower_bn;
    const bool same = Values(t.tensor) == before[t.name];
    if (lower_variant && !same) ++changed_lower_bn;
    if (!lower_variant && !same) ++changed_other;
  }
  EXPECT_GT(changed_lower_bn, 0) << "the 2- and 3-bit BNs must learn";
  EXPECT_EQ(changed_other, 0) << "weights, the FP layers and the 4-bit BN are frozen";
  for (const NamedTensor& t : recipe_params.entries()) {
    if (t.name.find("w_step") != std::string::npos || t.name.find("w4a4") != std::string::npos) {
      EXPECT_EQ(Values(t.tensor), before[t.name]) << t.name;
    }
  }
  // q_b = floor(q_N / 2^(N-b)) of q_N = clip(round(w / s_N), -8, 7), ŵ_b = 2^(N-b) s_N q_b.
  int layers = 0;
  for (const models::Layer* l : net->layers()) {
    if (l->info().is_first || l->info().is_last) continue;
    ++layers;
    const float s = r.source_step(l->info().index);
    const Tensor& w = l->weight();
    for (int b = 2; b <= 3; ++b) {
      const models::ForwardContext ctx = r.WidthContext(b);
      const Tensor wb = ctx.hooks->Weight(*l, w, ctx);
      ASSERT_EQ(wb.numel(), w.numel());
      int64_t mismatches = 0;
      for (int64_t i = 0; i < w.numel(); ++i) {
        const float q4 = std::fmin(7.f, std::fmax(-8.f, std::nearbyint(w.data()[i] / s)));
        const int qb = static_cast<int>(std::floor(q4 / static_cast<float>(1 << (4 - b))));
        mismatches += wb.data()[i] != std::ldexp(s * static_cast<float>(qb), 4 - b);
      }
      EXPECT_EQ(mismatches, 0) << l->info().name << " at " << b << " bits";
    }
  }
  EXPECT_GT(layers, 10);
}

TEST(QatFinetuneTest, BadOptionsNameFieldAndValue) {
  auto net = Net(3);
  QatFinetuneOptions o;
  o.source_bits = 2;
  auto r = QatFinetuneRecipe::Create(o, *net);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("qat_finetune.source_bits: 2"), std::string::npos)
      << r.status().ToString();
  auto one = Net(1);
  r = QatFinetuneRecipe::Create({}, *one);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("1 BN variants"), std::string::npos);
  AdabitsOptions a;
  a.basic_bits = 0;
  auto ab = AdabitsRecipe::Create(a, *net);
  ASSERT_FALSE(ab.ok());
  EXPECT_NE(ab.status().message().find("adabits.basic_bits: 0"), std::string::npos);
}

TEST(AdabitsTest, CodesAreNotNestedAndGradientsSum) {
  auto net = Net(3);
  auto made = AdabitsRecipe::Create({}, *net);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  AdabitsRecipe& r = *made.value();
  ASSERT_TRUE(r.BeginStage(0, false, *net).ok());
  // 2-bit codes vs the top two bits of the 4-bit codes, each from its own LSQ step.
  int64_t differ = 0, total = 0;
  const ParameterSet steps = r.Parameters();
  for (const models::Layer* l : net->layers()) {
    if (l->info().is_first || l->info().is_last) continue;
    const float s2 = steps.Find(l->info().name + ".w_step.w2a2")->data()[0];
    const float s4 = steps.Find(l->info().name + ".w_step.w4a4")->data()[0];
    const Tensor& w = l->weight();
    for (int64_t i = 0; i < w.numel(); ++i) {
      const float q2 = std::fmin(1.f, std::fmax(-2.f, std::nearbyint(w.data()[i] / s2)));
      const float q4 = std::fmin(7.f, std::fmax(-8.f, std::nearbyint(w.data()[i] / s4)));
      differ += q2 != std::floor(q4 / 4.f);
      ++total;
    }
  }
  EXPECT_GT(differ, total / 10) << differ << " of " << total;
  // The summed step: loss = Σ_b CE_b; every width's step and the shared weights get their
  // own gradients, and the shared gradient is the sum of the widths'.
  const std::vector<int32_t> labels = Labels(8);
  StepInput in{net.get(), Images(8, 3), &labels, {}};
  in.ctx.training = true;
  std::vector<float> ce;
  const Tensor& w = net->layers()[5]->weight();
  std::vector<double> w_grad(w.numel(), 0.0);
  for (int b = 2; b <= 4; ++b) {
    net->params().ZeroGrads();
    r.Parameters().ZeroGrads();
    models::ForwardContext ctx = r.WidthContext(b);
    ctx.training = true;
    const Tensor loss = CrossEntropy(net->Forward(in.images, ctx), labels);
    ce.push_back(loss.item());
    Backward({loss});
    for (int64_t i = 0; i < w.numel(); ++i) w_grad[i] += w.grad().data()[i];
  }
  net->params().ZeroGrads();
  r.Parameters().ZeroGrads();
  const StepMetrics m = r.Step(in);
  EXPECT_FLOAT_EQ(static_cast<float>(m.loss), (ce[0] + ce[1]) + ce[2]);
  double max_diff = 0, max_abs = 0;
  for (int64_t i = 0; i < w.numel(); ++i) {
    max_diff = std::max(max_diff, std::fabs(w.grad().data()[i] - w_grad[i]));
    max_abs = std::max(max_abs, std::fabs(w_grad[i]));
  }
  EXPECT_GT(max_abs, 0);
  EXPECT_LE(max_diff, 1e-5 * max_abs);
  for (const NamedTensor& t : steps.entries()) {
    if (t.name.find("w_step") == std::string::npos) continue;
    ASSERT_TRUE(t.tensor.grad().defined()) << t.name;
    EXPECT_NE(t.tensor.grad().data()[0], 0.f) << t.name;
  }
}

TEST(WeightStorageTest, PaperResNet50Sizes) {
  models::ModelSpec spec;
  spec.name = "resnet50", spec.in_channels = 3, spec.num_classes = 1000, spec.input_size = 224;
  auto net = models::Build(spec);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  const std::vector<int> widths = {2, 3, 4};
  // seed 001 Table 5: 159.6M for the vertical-layered schemes, 816.1M for AdaBits.
  EXPECT_NEAR(WeightStorageBits(*net.value(), WeightStorage::kVertical, widths) / 1e6, 159.6, 0.05);
  EXPECT_NEAR(WeightStorageBits(*net.value(), WeightStorage::kFpWeights, widths) / 1e6, 816.1,
              0.05);
  const int64_t v = WeightStorageBits(*net.value(), WeightStorage::kVertical, widths);
  const int64_t p = WeightStorageBits(*net.value(), WeightStorage::kPerBit, widths);
  // per-bit: (2 + 3 + 4) Nq + 3 · 32 Nfp, with 4 Nq + 32 Nfp = v and 32 (Nq + Nfp) = f.
  const int64_t f = WeightStorageBits(*net.value(), WeightStorage::kFpWeights, widths);
  const int64_t nq = (f - v) / 28, nfp = (v - 4 * nq) / 32;
  EXPECT_EQ(p, 9 * nq + 96 * nfp);
}

}  // namespace
}  // namespace moo
}  // namespace strata
