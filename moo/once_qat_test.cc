// once-QAT recipe: the joint step's gradients checked by construction against per-width
// forward/backward passes on a tiny ResNet-20, US = sum / T, MGD alpha logged and applied,
// compensation changes the forward, a NaN loss is reported (no gradient written); the BN
// modes (shared BN is a shared parameter; shared affine sums alpha-weighted gradients into
// one γ/β and ties the values), per-bit first/last layers (own copies, own gradients, decay,
// extra parameters) and MGD's gradient norms (= the norms of per-width gradients).
#include "moo/once_qat.h"

#include <cmath>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "models/models.h"
#include "quant/quant.h"

namespace strata {
namespace moo {
namespace {

constexpr int kWidths = 3;  // 2, 3, 4 bits

std::unique_ptr<models::Network> TinyNet(int bn_variants = kWidths) {
  models::ModelSpec spec;
  spec.name = "resnet20", spec.width = 0.25, spec.in_channels = 1, spec.num_classes = 3;
  spec.input_size = 8, spec.bn_variants = bn_variants, spec.seed = 5;
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
  std::unique_ptr<models::Network> net;
  std::unique_ptr<OnceQatRecipe> recipe;
  explicit Fixture(OnceQatOptions o = {}) : net(TinyNet(o.bn_variants())) {
    recipe = std::move(OnceQatRecipe::Create(o, *net)).value();
    EXPECT_TRUE(recipe->BeginStage(0, false, *net).ok());
  }
  void ZeroGrads() {
    net->params().ZeroGrads();
    recipe->Parameters().ZeroGrads();
  }
  // A new stage: the activation steps are set again by the next input.
  void FreshStage() { ASSERT_TRUE(recipe->BeginStage(0, /*resumed=*/false, *net).ok()); }
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

// Two steps under `o`; every tensor's gradient checked against per-width passes: shared
// ones hold the mean of the widths' gradients, the others exactly their one width's.
void CheckJointGradients(const OnceQatOptions& o, int* width_specific, int* shared) {
  Fixture f(o);
  f.Step(1);  // initialises the activation steps
  const StepMetrics m = f.Step(2);
  ASSERT_TRUE(std::isfinite(m.loss));
  const std::vector<Tensor> all = f.All();
  std::vector<std::vector<Tensor>> per_width;
  for (int b = 2; b <= 4; ++b) per_width.push_back(f.WidthGrads(b, 2, all));
  *width_specific = 0, *shared = 0;
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
      ++*shared;
      for (int64_t k = 0; k < g.numel(); ++k) {
        double sum = 0;
        for (int i = 0; i < kWidths; ++i) sum += per_width[i][j].data()[k];
        ASSERT_NEAR(g.data()[k], sum / kWidths, 1e-5 * (1 + std::fabs(sum))) << j << " " << k;
      }
    } else {
      ++*width_specific;
      EXPECT_LE(reached, 1) << "a width-specific tensor reached by several losses: " << j;
      // Exactly its own width's gradient (the others contribute nothing).
      for (int64_t k = 0; k < g.numel(); ++k) {
        float expect = 0.f;
        for (int i = 0; i < kWidths; ++i) expect += per_width[i][j].data()[k];
        ASSERT_EQ(g.data()[k], expect) << j << " " << k;
      }
    }
  }
}

TEST(OnceQatTest, WidthSpecificGradientsComeOnlyFromTheirOwnLossAndSharedAreTheMean) {
  int width_specific = 0, shared = 0;
  CheckJointGradients({}, &width_specific, &shared);
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
  const ActivationSteps& act = f.recipe->activation_steps();
  for (int slot = 0; slot < 3; ++slot) EXPECT_FALSE(act.initialised(slot));
  f.Step(1);
  for (int slot = 0; slot < 3; ++slot) EXPECT_TRUE(act.initialised(slot));
  const float s2 = f.recipe->act_step(2, 0).data()[0], s4 = f.recipe->act_step(4, 0).data()[0];
  EXPECT_GT(s2, 0.f);
  EXPECT_GT(s2, s4);  // max|x| / 3 vs max|x| / 15 (roughly: inputs differ slightly)
  f.Step(2);  // another batch: the steps are not set again
  EXPECT_EQ(f.recipe->act_step(2, 0).data()[0], s2);
  // The ranges are weights (the export reads them from weights.ckpt), not State().
  EXPECT_NE(f.recipe->Parameters().Find("a_step.flags"), nullptr);
  EXPECT_EQ(f.recipe->State().size(), 0u);
  // A fresh stage forgets them: the next first step sets them again.
  ASSERT_TRUE(f.recipe->BeginStage(0, /*resumed=*/false, *f.net).ok());
  EXPECT_FALSE(act.initialised(0));
  const std::vector<EvalPoint> evals = f.recipe->Evals();
  ASSERT_EQ(evals.size(), 3u);
  EXPECT_EQ(evals[0].name, "w2a2");
  EXPECT_EQ(evals[2].name, "w4a4");
  EXPECT_EQ(evals[1].ctx.variant, 1);
}

TEST(OnceQatTest, ActivationStepIsMaxOver2ToTheBMinus1ForSignedAndUnsignedInputs) {
  // s_a = max|x| / (2^b - 1) (Sec. 6.1) whatever the sign; only the range follows the sign.
  // (max|x| over the signed Qp = 2^(b-1) - 1 rounded nearly everything to 0 at 2 bits.)
  Fixture f;
  const models::Layer& layer = *f.net->layers()[f.recipe->quantized_layers()[0]];
  const Tensor signed_x = Tensor::FromVector({4}, {-3.f, 1.f, 0.5f, 2.f});
  const Tensor unsigned_x = Tensor::FromVector({3}, {0.f, 1.5f, 6.f});
  const Tensor dead_x = Tensor::Zeros({3});
  for (int bits : {2, 3, 4}) {
    SCOPED_TRACE(bits);
    const float levels = static_cast<float>((1 << bits) - 1);
    models::ForwardContext ctx = f.recipe->WidthContext(bits);
    f.FreshStage();  // the input below is the first one the stage sees
    ctx.hooks->Input(layer, signed_x, ctx);
    EXPECT_TRUE(f.recipe->act_signed(bits, 0));
    EXPECT_EQ(f.recipe->act_step(bits, 0).data()[0], 3.f / levels);
    f.FreshStage();  // the input below is the first one the stage sees
    ctx.hooks->Input(layer, unsigned_x, ctx);
    EXPECT_FALSE(f.recipe->act_signed(bits, 0));
    EXPECT_EQ(f.recipe->act_step(bits, 0).data()[0], 6.f / levels);
    f.FreshStage();  // the input below is the first one the stage sees
    ctx.hooks->Input(layer, dead_x, ctx);
    EXPECT_EQ(f.recipe->act_step(bits, 0).data()[0], 1.f / levels);
  }
}

TEST(OnceQatTest, LsqActivationInitIsTwiceMeanOverRootQpOfTheInputsRange) {
  // The ablation: s_a = 2 mean|x| / sqrt(Qp) (Esser et al. Sec. 2.1), Qp of the range the
  // sign picks; a dead input still starts at 1 / (2^b - 1).
  OnceQatOptions o;
  o.act_init = ActInit::kLsq;
  Fixture f(o);
  const models::Layer& layer = *f.net->layers()[f.recipe->quantized_layers()[0]];
  const Tensor signed_x = Tensor::FromVector({4}, {-3.f, 1.f, 0.5f, 2.f});  // mean|x| 1.625
  const Tensor unsigned_x = Tensor::FromVector({3}, {0.f, 1.5f, 6.f});       // mean|x| 2.5
  for (int bits : {2, 3, 4}) {
    SCOPED_TRACE(bits);
    models::ForwardContext ctx = f.recipe->WidthContext(bits);
    f.FreshStage();  // the input below is the first one the stage sees
    ctx.hooks->Input(layer, signed_x, ctx);
    EXPECT_TRUE(f.recipe->act_signed(bits, 0));
    EXPECT_FLOAT_EQ(f.recipe->act_step(bits, 0).data()[0],
                    static_cast<float>(3.25 / std::sqrt((1 << (bits - 1)) - 1.0)));
    f.FreshStage();  // the input below is the first one the stage sees
    ctx.hooks->Input(layer, unsigned_x, ctx);
    EXPECT_FALSE(f.recipe->act_signed(bits, 0));
    EXPECT_FLOAT_EQ(f.recipe->act_step(bits, 0).data()[0],
                    static_cast<float>(5.0 / std::sqrt((1 << bits) - 1.0)));
    f.FreshStage();  // the input below is the first one the stage sees
    ctx.hooks->Input(layer, Tensor::Zeros({3}), ctx);
    EXPECT_EQ(f.recipe->act_step(bits, 0).data()[0], 1.f / static_cast<float>((1 << bits) - 1));
  }
}

TEST(OnceQatTest, SharedBnIsOneVariantAndASharedParameter) {
  OnceQatOptions o;
  o.bn = BnMode::kShared;
  EXPECT_EQ(o.bn_variants(), 1);
  Fixture f(o);
  for (const models::Norm* n : f.net->norms()) {
    ASSERT_EQ(n->variants(), 1);
    EXPECT_TRUE(IsShared(*f.recipe, n->bn(0).weight)) << n->name();
    EXPECT_TRUE(IsShared(*f.recipe, n->bn(0).bias)) << n->name();
  }
  for (int b = 2; b <= 4; ++b) EXPECT_EQ(f.recipe->WidthContext(b).variant, 0);
  int width_specific = 0, shared = 0;
  CheckJointGradients(o, &width_specific, &shared);
  EXPECT_EQ(width_specific, 3 * static_cast<int>(f.recipe->quantized_layers().size()));  // s_a
  // A network with one BN per width does not fit the shared mode, and vice versa.
  std::unique_ptr<models::Network> three = TinyNet(3);
  StatusOr<std::unique_ptr<OnceQatRecipe>> r = OnceQatRecipe::Create(o, *three);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("need 1 (one BN shared"), std::string::npos)
      << r.status().message();
}

TEST(OnceQatTest, SharedAffineSumsAlphaWeightedGradientsIntoOneAffineAndTiesValues) {
  OnceQatOptions o;
  o.bn = BnMode::kSharedAffine;
  Fixture f(o);
  f.Step(1);
  f.recipe->AfterStep(*f.net);
  f.Step(2);
  const models::Norm& n = *f.net->norms().front();
  std::vector<Tensor> gamma;
  for (int v = 0; v < kWidths; ++v) gamma.push_back(n.bn(v).weight);
  std::vector<std::vector<Tensor>> per_width;  // d L_b / d γ of every variant
  for (int b = 2; b <= 4; ++b) per_width.push_back(f.WidthGrads(b, 2, gamma));
  for (int64_t k = 0; k < gamma[0].numel(); ++k) {
    double expect = 0;
    for (int i = 0; i < kWidths; ++i) expect += per_width[i][i].data()[k] / kWidths;
    ASSERT_NEAR(gamma[0].grad().data()[k], expect, 1e-5 * (1 + std::fabs(expect))) << k;
    for (int v = 1; v < kWidths; ++v) ASSERT_EQ(gamma[v].grad().data()[k], 0.f) << v;
  }
  // Statistics stay per width (at a site after a quantized layer: the first BN sees the
  // shared FP first conv); the affine values are tied again after the optimizer step.
  const models::Norm& deep = *f.net->norms().back();
  bool stats_differ = false;
  for (int64_t k = 0; k < deep.bn(0).running_mean.numel(); ++k) {
    stats_differ |= deep.bn(0).running_mean.data()[k] != deep.bn(2).running_mean.data()[k];
  }
  EXPECT_TRUE(stats_differ);
  gamma[0].data()[0] += 0.5f;  // as an SGD step would
  f.recipe->AfterStep(*f.net);
  for (int v = 1; v < kWidths; ++v) {
    for (int64_t k = 0; k < gamma[0].numel(); ++k) {
      ASSERT_EQ(gamma[v].data()[k], gamma[0].data()[k]);
      ASSERT_EQ(n.bn(v).bias.data()[k], n.bn(0).bias.data()[k]);
    }
  }
}

TEST(OnceQatTest, PerBitEndsAreOwnCopiesWithOwnGradientsAndCountAsExtraParameters) {
  OnceQatOptions o;
  o.per_bit_ends = true;
  Fixture f(o);
  const models::Layer& first = *f.net->layers().front();
  const models::Layer& last = *f.net->layers().back();
  EXPECT_EQ(f.recipe->ExtraEndParameters(), 2 * (first.weight().numel() + last.weight().numel()));
  EXPECT_EQ(f.recipe->EndWeight(first.info().index, 2), nullptr);  // b0: the network's own
  const Tensor* w3 = f.recipe->EndWeight(first.info().index, 3);
  ASSERT_NE(w3, nullptr);
  EXPECT_NE(w3->data(), f.recipe->EndWeight(first.info().index, 4)->data());
  for (int64_t k = 0; k < first.weight().numel(); ++k) {
    ASSERT_EQ(w3->data()[k], first.weight().data()[k]);  // copied at BeginStage
  }
  EXPECT_FALSE(IsShared(*f.recipe, first.weight()));
  EXPECT_FALSE(IsShared(*f.recipe, last.weight()));
  int width_specific = 0, shared = 0;
  CheckJointGradients(o, &width_specific, &shared);
  EXPECT_EQ(width_specific, 3 * static_cast<int>(f.recipe->quantized_layers().size()) +
                                3 * 2 * static_cast<int>(f.net->norms().size()) + 3 * 2);
  // Width 3 runs on its copy: changing it changes width 3's logits, not width 2's.
  NoGradGuard no_grad;
  auto logits = [&](int bits) { return f.net->Forward(Images(4), f.recipe->WidthContext(bits)); };
  const Tensor before2 = logits(2), before3 = logits(3);
  w3->data()[0] += 1.f;
  const Tensor after2 = logits(2), after3 = logits(3);
  EXPECT_EQ(before2.data()[0], after2.data()[0]);
  bool changed = false;
  for (int64_t k = 0; k < after3.numel(); ++k) changed |= before3.data()[k] != after3.data()[k];
  EXPECT_TRUE(changed);
}

TEST(OnceQatTest, PerBitEndCopiesGetTheCoupledWeightDecay) {
  OnceQatOptions o;
  o.per_bit_ends = true;
  OnceQatOptions decayed = o;
  decayed.ends_weight_decay = 0.25f;
  Fixture plain(o), with(decayed);  // same network seed
  plain.Step(1), with.Step(1);
  const int idx = plain.net->layers().back()->info().index;
  const Tensor* a = plain.recipe->EndWeight(idx, 4);
  const Tensor* b = with.recipe->EndWeight(idx, 4);
  for (int64_t k = 0; k < a->numel(); ++k) {
    ASSERT_EQ(b->grad().data()[k], a->grad().data()[k] + 0.25f * a->data()[k]) << k;
  }
  // The network's own first/last weights (width b0) are left to the SGD's decay.
  const Tensor& own = plain.net->layers().back()->weight();
  const Tensor& own_with = with.net->layers().back()->weight();
  for (int64_t k = 0; k < own.numel(); ++k) ASSERT_EQ(own.grad().data()[k], own_with.grad().data()[k]);
}

TEST(OnceQatTest, MgdLogsTheNormOfEachWidthsSharedGradient) {
  OnceQatOptions o;
  o.moo = MooMethod::kMgd;
  Fixture f(o);
  f.Step(1);
  f.recipe->TakeEpochMetrics();  // this epoch: step 2 alone
  f.Step(2);
  std::map<std::string, double> metrics;
  for (const auto& [name, value] : f.recipe->TakeEpochMetrics()) metrics[name] = value;
  for (int b = 2; b <= 4; ++b) {
    const std::vector<Tensor> g = f.WidthGrads(b, 2, f.recipe->shared());
    double ss = 0;
    for (const Tensor& t : g) {
      for (int64_t k = 0; k < t.numel(); ++k) ss += static_cast<double>(t.data()[k]) * t.data()[k];
    }
    const std::string name = "grad_norm_" + WidthName(b);
    ASSERT_EQ(metrics.count(name), 1u) << name;
    EXPECT_NEAR(metrics[name], std::sqrt(ss), 1e-4 * std::sqrt(ss)) << name;
    EXPECT_GT(metrics[name], 0);
    // One step in the epoch: alpha's spread within it is 0.
    EXPECT_EQ(metrics.count("alpha_std_" + WidthName(b)), 1u);
    EXPECT_NEAR(metrics["alpha_std_" + WidthName(b)], 0.0, 1e-9);
  }
  // US computes no per-width gradients: no norms logged.
  Fixture us;
  us.Step(1);
  for (const auto& [name, value] : us.recipe->TakeEpochMetrics()) {
    EXPECT_EQ(name.find("grad_norm"), std::string::npos) << name;
  }
}

TEST(OnceQatTest, MgdAlphaStdIsTheSpreadOverTheEpochsSteps) {
  OnceQatOptions o;
  o.moo = MooMethod::kMgd;
  Fixture f(o);
  f.Step(1);
  const std::vector<double> a1 = f.recipe->last_alpha();
  f.Step(5);
  const std::vector<double> a2 = f.recipe->last_alpha();
  std::map<std::string, double> metrics;
  for (const auto& [name, value] : f.recipe->TakeEpochMetrics()) metrics[name] = value;
  for (int i = 0; i < kWidths; ++i) {
    const std::string w = WidthName(2 + i);
    EXPECT_NEAR(metrics["alpha_" + w], (a1[i] + a2[i]) / 2, 1e-12) << w;
    EXPECT_NEAR(metrics["alpha_std_" + w], std::fabs(a1[i] - a2[i]) / 2, 1e-9) << w;
  }
}

}  // namespace
}  // namespace moo
}  // namespace strata
