// once-QAT recipe: the joint step's gradients checked by construction against per-width
// forward/backward passes on a tiny ResNet-20, US = sum / T, MGD alpha logged and applied,
// compensation changes the forward, a NaN loss is reported (no gradient written).
#include "moo/once_qat.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"
#include "models/models.h"
#include "quant/quant.h"

namespace strata {
namespace moo {
namespace {

constexpr int kWidths = 3;  // 2, 3, 4 bits

std::unique_ptr<models::Network> TinyNet() {
  models::ModelSpec spec;
  spec.name = "resnet20", spec.width = 0.25, spec.in_channels = 1, spec.num_classes = 3;
  spec.input_size = 8, spec.bn_variants = kWidths, spec.seed = 5;
  return std::move(models::Build(spec)).value();
}

Tensor Images(uint64_t seed) {
  std::vector<float> v(4 * 8 * 8);
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i) + seed));
  }
  return Tensor::FromVector({4, 1, 8, 8}, v);
}

const std::vector<int32_t> kLabels = {0, 1, 2, 1};

struct Fixture {
  std::unique_ptr<models::Network> net = TinyNet();
  std::unique_ptr<OnceQatRecipe> recipe;
  explicit Fixture(OnceQatOptions o = {}) {
    recipe = std::move(OnceQatRecipe::Create(o, *net)).value();
    EXPECT_TRUE(recipe->BeginStage(0, false, *net).ok());
  }
  void ZeroGrads() {
    net->params().ZeroGrads();
    recipe->Parameters().ZeroGrads();
  }
  StepMetrics Step(uint64_t seed) {
    ZeroGrads();
    StepInput in{net.get(), Images(seed), &kLabels, models::ForwardContext()};
    in.ctx.training = true;
    return recipe->Step(in);
  }
  // d L_b / d every tensor, from width b's forward alone (no other width involved).
  std::vector<Tensor> WidthGrads(int bits, uint64_t seed, const std::vector<Tensor>& wrt) {
    models::ForwardContext ctx = recipe->WidthContext(bits);
    ctx.training = true;
    const Tensor loss = CrossEntropy(net->Forward(Images(seed), ctx), kLabels);
    return Grad(loss, wrt);
  }
  std::vector<Tensor> All() const {
    std::vector<Tensor> all = net->params().tensors();
    for (const NamedTensor& p : recipe->Parameters().entries()) {
      if (p.tensor.requires_grad()) all.push_back(p.tensor);
    }
    return all;
  }
};

bool IsShared(const OnceQatRecipe& r, const Tensor& t) {
  for (const Tensor& s : r.shared()) {
    if (s.data() == t.data()) return true;
  }
  return false;
}

TEST(OnceQatTest, WidthSpecificGradientsComeOnlyFromTheirOwnLossAndSharedAreTheMean) {
  Fixture f;
  f.Step(1);  // initialises the activation steps
  const StepMetrics m = f.Step(2);
  ASSERT_TRUE(std::isfinite(m.loss));
  const std::vector<Tensor> all = f.All();
  std::vector<std::vector<Tensor>> per_width;
  for (int b = 2; b <= 4; ++b) per_width.push_back(f.WidthGrads(b, 2, all));
  int width_specific = 0, shared = 0;
  for (size_t j = 0; j < all.size(); ++j) {
    const Tensor& g = all[j].grad();
    ASSERT_TRUE(g.defined()) << j;
    int reached = 0;  // widths whose loss reaches tensor j
    for (int i = 0; i < kWidths; ++i) {
      float mx = 0.f;
      for (int64_t k = 0; k < g.numel(); ++k) mx = std::fmax(mx, std::fabs(per_width[i][j].data()[k]));
      reached += mx > 0.f;
    }
    if (IsShared(*f.recipe, all[j])) {
      ++shared;
      for (int64_t k = 0; k < g.numel(); ++k) {
        double sum = 0;
        for (int i = 0; i < kWidths; ++i) sum += per_width[i][j].data()[k];
        ASSERT_NEAR(g.data()[k], sum / kWidths, 1e-5 * (1 + std::fabs(sum))) << j << " " << k;
      }
    } else {
      ++width_specific;
      EXPECT_LE(reached, 1) << "a width-specific tensor reached by several losses: " << j;
      // Exactly its own width's gradient (the others contribute nothing).
      for (int64_t k = 0; k < g.numel(); ++k) {
        float expect = 0.f;
        for (int i = 0; i < kWidths; ++i) expect += per_width[i][j].data()[k];
        ASSERT_EQ(g.data()[k], expect) << j << " " << k;
      }
    }
  }
  EXPECT_GT(width_specific, 0);
  EXPECT_GT(shared, 0);
}

TEST(OnceQatTest, UsIsThePlainSumOverT) {
  Fixture f;
  f.Step(1);
  f.ZeroGrads();
  // The plain sum: backward of every width's loss, no scaling.
  std::vector<Tensor> losses;
  for (int b = 2; b <= 4; ++b) {
    models::ForwardContext ctx = f.recipe->WidthContext(b);
    ctx.training = true;
    losses.push_back(CrossEntropy(f.net->Forward(Images(3), ctx), kLabels));
  }
  Backward(losses);
  std::vector<std::vector<float>> sum;
  for (const Tensor& s : f.recipe->shared()) {
    sum.emplace_back(s.grad().data(), s.grad().data() + s.numel());
  }
  f.Step(3);
  for (size_t j = 0; j < f.recipe->shared().size(); ++j) {
    const Tensor& g = f.recipe->shared()[j].grad();
    for (int64_t k = 0; k < g.numel(); ++k) {
      ASSERT_EQ(g.data()[k], static_cast<float>(sum[j][k] / kWidths)) << j;
    }
  }
  for (double a : f.recipe->last_alpha()) EXPECT_DOUBLE_EQ(a, 1.0 / 3);
}

TEST(OnceQatTest, MgdAlphaIsLoggedAndApplied) {
  OnceQatOptions o;
  o.moo = MooMethod::kMgd;
  Fixture f(o);
  f.Step(1);
  f.Step(2);
  const std::vector<double> alpha = f.recipe->last_alpha();
  ASSERT_EQ(alpha.size(), 3u);
  double total = 0;
  for (double a : alpha) {
    EXPECT_GE(a, 0);
    total += a;
  }
  EXPECT_NEAR(total, 1, 1e-12);
  // The shared gradients are sum_b alpha_b dL_b.
  std::vector<std::vector<Tensor>> g;
  for (int b = 2; b <= 4; ++b) g.push_back(f.WidthGrads(b, 2, f.recipe->shared()));
  for (size_t j = 0; j < f.recipe->shared().size(); ++j) {
    const Tensor& grad = f.recipe->shared()[j].grad();
    for (int64_t k = 0; k < grad.numel(); ++k) {
      double expect = 0;
      for (int i = 0; i < 3; ++i) expect += alpha[i] * g[i][j].data()[k];
      ASSERT_NEAR(grad.data()[k], expect, 1e-5 * (1 + std::fabs(expect))) << j;
    }
  }
  const auto metrics = f.recipe->TakeEpochMetrics();
  int alphas = 0;
  for (const auto& [name, value] : metrics) {
    if (name.rfind("alpha_w", 0) == 0) {
      ++alphas;
      EXPECT_GE(value, 0);
      EXPECT_LE(value, 1);
    }
  }
  EXPECT_EQ(alphas, 3);
  EXPECT_EQ(metrics.front().first, "alpha_w2a2");
}

TEST(OnceQatTest, CompensationChangesTheForwardBelowTheSourceWidthOnly) {
  OnceQatOptions without;
  without.compensation = false;
  Fixture on, off(without);  // same network seed and initial steps
  NoGradGuard no_grad;
  auto logits = [](Fixture& f, int bits) {
    models::ForwardContext ctx = f.recipe->WidthContext(bits);
    ctx.training = true;  // batch statistics
    return f.net->Forward(Images(4), ctx);
  };
  auto differ = [](const Tensor& x, const Tensor& y) {
    for (int64_t k = 0; k < x.numel(); ++k) {
      if (x.data()[k] != y.data()[k]) return true;
    }
    return false;
  };
  EXPECT_FALSE(differ(logits(on, 4), logits(off, 4)));  // z_N = 0
  EXPECT_TRUE(differ(logits(on, 3), logits(off, 3)));   // z_3 = 1/4
  EXPECT_TRUE(differ(logits(on, 2), logits(off, 2)));   // z_2 = 3/8
}

TEST(OnceQatTest, NanLossIsReportedWithoutGradients) {
  Fixture f;
  // A NaN in the shared FP classifier (ReLU would swallow one inside the network).
  f.net->layers().back()->weight().data()[0] = std::nanf("");
  const StepMetrics m = f.Step(1);
  EXPECT_FALSE(std::isfinite(m.loss));
  for (const Tensor& p : f.net->params().tensors()) {
    if (!p.grad().defined()) continue;
    for (int64_t k = 0; k < p.numel(); ++k) ASSERT_EQ(p.grad().data()[k], 0.f);
  }
}

TEST(OnceQatTest, BadOptionsAndNetworksAreStatusNamingTheField) {
  std::unique_ptr<models::Network> net = TinyNet();
  OnceQatOptions o;
  o.source_bits = 9;
  StatusOr<std::unique_ptr<OnceQatRecipe>> r = OnceQatRecipe::Create(o, *net);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("once_qat.source_bits: 9"), std::string::npos);
  o.source_bits = 3;  // two widths, but the network has three BN variants
  r = OnceQatRecipe::Create(o, *net);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("need 2"), std::string::npos) << r.status().message();
}

TEST(OnceQatTest, ActivationStepsAreSetOnTheFirstStepOnlyAndEvalsNameEveryWidth) {
  Fixture f;
  EXPECT_EQ(f.recipe->State().Find("onceqat.act_ready")->data()[0], 0.f);
  f.Step(1);
  EXPECT_EQ(f.recipe->State().Find("onceqat.act_ready")->data()[0], 1.f);
  const float s2 = f.recipe->act_step(2, 0).data()[0], s4 = f.recipe->act_step(4, 0).data()[0];
  EXPECT_GT(s2, 0.f);
  EXPECT_GT(s2, s4);  // max|x| / 3 vs max|x| / 15 (roughly: inputs differ slightly)
  const std::vector<EvalPoint> evals = f.recipe->Evals();
  ASSERT_EQ(evals.size(), 3u);
  EXPECT_EQ(evals[0].name, "w2a2");
  EXPECT_EQ(evals[2].name, "w4a4");
  EXPECT_EQ(evals[1].ctx.variant, 1);
}

}  // namespace
}  // namespace moo
}  // namespace strata
