// nn modules (init, registration), SGD against PyTorch's update formula, LR schedules.
#include <cmath>

#include "engine/nn.h"
#include "engine/optim.h"
#include "engine/rng.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(Init, PyTorchDefaultConvAndLinearBounds) {
  nn::Conv2d conv("c", 16, 32, 3, {}, /*seed=*/5);
  const double bound = 1.0 / std::sqrt(16.0 * 9);  // kaiming_uniform_(a=sqrt(5)) = 1/sqrt(fan_in)
  double sum = 0, sq = 0, max_abs = 0;
  for (float v : conv.weight.ToVector()) {
    sum += v, sq += double(v) * v;
    max_abs = std::max(max_abs, double(std::fabs(v)));
  }
  const double n = conv.weight.numel();
  EXPECT_LE(max_abs, bound);
  EXPECT_GT(max_abs, 0.98 * bound);
  EXPECT_NEAR(sum / n, 0.0, 0.05 * bound);
  EXPECT_NEAR(sq / n, bound * bound / 3, 0.05 * bound * bound);
  for (float v : conv.bias.ToVector()) EXPECT_LE(std::fabs(v), bound);
  nn::Linear fc("fc", 7, 3, true, 5);
  for (float v : fc.weight.ToVector()) EXPECT_LE(std::fabs(v), 1.0 / std::sqrt(7.0));
  // Element i of "c.weight" is bound * (2 u_i - 1), u from Philox(seed, Stream("c.weight")).
  const Philox rng(5, Stream("c.weight"));
  EXPECT_FLOAT_EQ(conv.weight.data()[17], float(-bound + 2 * bound * rng.Uniform(17)));
}

TEST(Init, DependsOnlyOnSeedAndName) {
  nn::Conv2d a("x", 3, 4, 3, {}, 1), b("x", 3, 4, 3, {}, 1), c("y", 3, 4, 3, {}, 1);
  EXPECT_EQ(a.weight.ToVector(), b.weight.ToVector());
  EXPECT_NE(a.weight.ToVector(), c.weight.ToVector());
  nn::Conv2dOptions o;
  o.init = nn::Init::kKaimingNormalFanOut;
  o.bias = false;
  nn::Conv2d d("d", 64, 64, 3, o, 1);
  double sq = 0;
  for (float v : d.weight.ToVector()) sq += double(v) * v;
  EXPECT_NEAR(sq / d.weight.numel(), 2.0 / (64 * 9), 0.1 * 2.0 / (64 * 9));
  EXPECT_FALSE(d.bias.defined());
}

TEST(Modules, RegisterUsesStateDictNames) {
  ParameterSet params, buffers;
  nn::Conv2d conv("stem", 3, 8, 3, {}, 1);
  nn::BatchNorm2d bn("bn1", 8);
  conv.Register(&params);
  bn.Register(&params, &buffers);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params.entries()[0].name, "stem.weight");
  EXPECT_EQ(params.entries()[3].name, "bn1.bias");
  EXPECT_EQ(buffers.entries()[1].name, "bn1.running_var");
  EXPECT_TRUE(params.Find("stem.bias")->requires_grad());
  EXPECT_EQ(params.Filter([](const std::string& n) { return n.rfind("bn", 0) == 0; }).size(), 2u);
  const std::string digest = ParameterDigest(params);
  params.entries()[0].tensor.data()[0] += 1.f;
  EXPECT_NE(ParameterDigest(params), digest);
}

// PyTorch's SGD, written out in double for one scalar parameter.
double ReferenceSgd(double w, const std::vector<double>& grads, double lr, double m, double wd,
                    bool nesterov, bool decoupled) {
  double buf = 0;
  for (size_t t = 0; t < grads.size(); ++t) {
    double d = grads[t] + (decoupled ? 0 : wd * w);
    buf = t == 0 ? d : m * buf + d;
    d = nesterov ? d + m * buf : buf;
    if (decoupled) w -= lr * wd * w;
    w -= lr * d;
  }
  return w;
}

TEST(Sgd, MatchesPyTorchFormula) {
  const std::vector<double> grads = {0.5, -1.25, 2.0, 0.75};
  for (bool nesterov : {false, true}) {
    for (bool decoupled : {false, true}) {
      Tensor w = Tensor::Full({1}, 1.5f).set_requires_grad(true);
      ParameterSet p;
      p.Add("w", w);
      SgdOptions o;
      o.momentum = 0.9f, o.nesterov = nesterov, o.weight_decay = 0.1f;
      o.decoupled_weight_decay = decoupled;
      Sgd sgd(o);
      sgd.AddGroup(p);
      for (double g : grads) {
        w.mutable_grad() = Tensor::Full({1}, float(g));
        sgd.Step(0.05f);
      }
      EXPECT_NEAR(w.item(), ReferenceSgd(1.5, grads, 0.05, 0.9, 0.1, nesterov, decoupled), 1e-6)
          << "nesterov " << nesterov << " decoupled " << decoupled;
      EXPECT_EQ(sgd.steps(), 4);
      EXPECT_EQ(sgd.StateTensors().entries()[0].name, "w.momentum_buffer");
    }
  }
}

TEST(Sgd, GroupsHaveTheirOwnDecayAndLrScale) {
  Tensor a = Tensor::Full({2}, 1.f).set_requires_grad(true);
  Tensor b = Tensor::Full({2}, 1.f).set_requires_grad(true);
  Tensor c = Tensor::Full({2}, 1.f).set_requires_grad(true);
  for (Tensor* t : {&a, &b, &c}) t->mutable_grad() = Tensor::Zeros({2});
  ParameterSet pa, pb, pc;
  pa.Add("a", a), pb.Add("b", b), pc.Add("c", c);
  SgdOptions o;
  o.weight_decay = 0.5f;
  Sgd sgd(o);
  sgd.AddGroup(pa);
  sgd.AddGroup(pb, 0.f);
  sgd.AddGroup(pc, std::nullopt, 2.f);
  sgd.Step(0.1f);
  EXPECT_FLOAT_EQ(a.data()[0], 1.f - 0.1f * 0.5f);
  EXPECT_FLOAT_EQ(b.data()[0], 1.f);
  EXPECT_FLOAT_EQ(c.data()[0], 1.f - 0.2f * 0.5f);
}

TEST(Schedules, CosineStepWarmup) {
  const LrSchedule cos = CosineLr(0.1, 100, 0.001);
  EXPECT_DOUBLE_EQ(cos(0), 0.1);
  EXPECT_NEAR(cos(50), 0.001 + 0.099 * 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(cos(100), 0.001);
  EXPECT_DOUBLE_EQ(cos(1000), 0.001);
  const LrSchedule step = StepLr(1.0, 30, 0.1);
  EXPECT_DOUBLE_EQ(step(29), 1.0);
  EXPECT_NEAR(step(30), 0.1, 1e-15);
  EXPECT_NEAR(step(65), 0.01, 1e-15);
  const LrSchedule warm = LinearWarmup(10, CosineLr(0.2, 100));
  EXPECT_DOUBLE_EQ(warm(0), 0.0);
  EXPECT_NEAR(warm(5), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(warm(10), 0.2);
  EXPECT_NEAR(warm(60), CosineLr(0.2, 100)(50), 1e-15);
  EXPECT_DOUBLE_EQ(ConstantLr(0.3)(7), 0.3);
}

}  // namespace
}  // namespace strata
