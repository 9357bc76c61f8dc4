// InqRecipe against the invariants of INQ (Zhou et al. 2017): frozen weights never change
// once frozen (through momentum, weight decay and later stages), the frozen fraction
// follows the schedule, every weight is 0 or ±2^k at the end, the state round-trips, and
// bad options are named. The end-to-end version through the real training loop is
// reports/inq_training_test.cc.
#include "moo/inq_recipe.h"

#include <cmath>
#include <cstring>

#include "gtest/gtest.h"

namespace strata {
namespace moo {
namespace {

std::unique_ptr<models::Network> SmallVgg(uint64_t seed) {
  models::ModelSpec spec;
  spec.name = "vgg16_bn_small5";
  spec.width = 0.0625;
  spec.in_channels = 1;
  spec.num_classes = 10;
  spec.input_size = 32;
  spec.seed = seed;
  StatusOr<std::unique_ptr<models::Network>> net = models::Build(spec);
  CHECK(net.ok()) << net.status().message();
  return std::move(net).value();
}

// A fixed batch: images from a counter hash, labels i mod 10.
Tensor Images(int n, uint64_t salt) {
  Tensor x = Tensor::Empty({n, 1, 32, 32});
  for (int64_t i = 0; i < x.numel(); ++i) {
    uint64_t h = (static_cast<uint64_t>(i) + salt) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    x.data()[i] = static_cast<float>(h % 1000) / 500.f - 1.f;
  }
  return x;
}

std::vector<float> Copy(const Tensor& t) { return {t.data(), t.data() + t.numel()}; }

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

// Runs `steps` SGD steps (momentum, coupled weight decay) of the recipe on a fixed batch.
void Train(InqRecipe& r, const models::Network& net, Sgd& sgd, int steps, uint64_t salt) {
  std::vector<int32_t> labels(8);
  for (int i = 0; i < 8; ++i) labels[i] = i % 10;
  for (int s = 0; s < steps; ++s) {
    net.params().ZeroGrads();
    StepInput in{&net, Images(8, salt + s), &labels, models::ForwardContext{true, 0, nullptr, 1, s}};
    const StepMetrics m = r.Step(in);
    ASSERT_TRUE(std::isfinite(m.loss));
    sgd.Step(0.05f);
    r.AfterStep(net);
  }
}

TEST(InqRecipeTest, FrozenWeightsNeverChangeAndFractionFollowsSchedule) {
  auto net = SmallVgg(3);
  InqOptions o;
  o.bits = 4;
  StatusOr<std::unique_ptr<InqRecipe>> made = InqRecipe::Create(*net, o);
  ASSERT_TRUE(made.ok()) << made.status().message();
  InqRecipe& r = **made;
  ASSERT_EQ(r.Stages(), 4);
  SgdOptions so;
  so.momentum = 0.9f;
  so.weight_decay = 5e-4f;
  Sgd sgd(so);
  sgd.AddGroup(net->params());
  const std::vector<double> sigma = quant::DefaultInqSchedule();
  // Weights (and whether frozen) as they were when frozen, per layer.
  std::vector<std::vector<float>> frozen_value(net->layers().size());
  std::vector<std::vector<float>> was_frozen(net->layers().size());
  for (int k = 0; k < r.Stages(); ++k) {
    ASSERT_TRUE(r.BeginStage(k, false, *net).ok());
    int64_t expect = 0, all = 0;
    for (size_t i = 0; i < net->layers().size(); ++i) {
      const Tensor& w = net->layers()[i]->weight();
      const quant::InqLayer& l = r.layers()[i];
      EXPECT_EQ(l.frozen_count(), quant::InqFrozenCount(w.numel(), sigma[k])) << l.name();
      expect += quant::InqFrozenCount(w.numel(), sigma[k]);
      all += w.numel();
      // Everything frozen in an earlier stage still has its value; newly frozen weights
      // are levels of the layer's codebook.
      for (int64_t j = 0; j < w.numel(); ++j) {
        if (k > 0 && was_frozen[i][j] != 0.f) {
          ASSERT_EQ(l.mask().data()[j], 1.f) << l.name() << " [" << j << "] unfrozen";
          ASSERT_TRUE(SameBits(w.data()[j], frozen_value[i][j])) << l.name() << " [" << j << "]";
        }
        if (l.mask().data()[j] == 1.f) {
          ASSERT_EQ(w.data()[j], quant::InqQuantizeValue(w.data()[j], l.codebook()));
        }
      }
      frozen_value[i] = Copy(w);
      was_frozen[i] = Copy(l.mask());
    }
    EXPECT_DOUBLE_EQ(r.FrozenFraction(), static_cast<double>(expect) / all);
    EXPECT_EQ(r.TakeEpochMetrics()[0].first, "inq_frozen_fraction");
    Train(r, *net, sgd, 3, 100 * k);
    // After training: frozen entries bit-identical, free entries moved.
    int64_t moved = 0;
    for (size_t i = 0; i < net->layers().size(); ++i) {
      const Tensor& w = net->layers()[i]->weight();
      for (int64_t j = 0; j < w.numel(); ++j) {
        if (was_frozen[i][j] != 0.f) {
          ASSERT_TRUE(SameBits(w.data()[j], frozen_value[i][j]))
              << "stage " << k << " " << r.layers()[i].name() << " [" << j << "]";
        } else {
          moved += w.data()[j] != frozen_value[i][j];
        }
      }
    }
    if (k + 1 < r.Stages()) {
      EXPECT_GT(moved, 0) << "stage " << k << ": free weights did not train";
    }
  }
  EXPECT_DOUBLE_EQ(r.FrozenFraction(), 1.0);
  // σ = 1: every weight is 0 or ±2^k of its layer's codebook (n2 <= k <= n1).
  for (size_t i = 0; i < net->layers().size(); ++i) {
    const Tensor& w = net->layers()[i]->weight();
    const quant::InqCodebook cb = r.layers()[i].codebook();
    for (int64_t j = 0; j < w.numel(); ++j) {
      const float a = std::fabs(w.data()[j]);
      if (a == 0.f) continue;
      int e = 0;
      ASSERT_EQ(std::frexp(a, &e), 0.5f) << r.layers()[i].name() << " [" << j << "] = " << a;
      ASSERT_GE(e - 1, cb.n2);
      ASSERT_LE(e - 1, cb.n1);
    }
  }
  EXPECT_DOUBLE_EQ(r.Storage().Reduction(), 8.0);  // 32 / 4
}

TEST(InqRecipeTest, ResumedStageRestoresStateFromCheckpointTensors) {
  auto net = SmallVgg(5);
  InqOptions o;
  o.bits = 5;
  o.schedule = {0.5, 1.0};
  auto a = InqRecipe::Create(*net, o);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE((*a)->BeginStage(0, false, *net).ok());
  // A fresh recipe whose State() tensors receive the first one's (as a checkpoint would).
  auto b = InqRecipe::Create(*net, o);
  ASSERT_TRUE(b.ok());
  const ParameterSet from = (*a)->State(), into = (*b)->State();
  ASSERT_EQ(from.size(), into.size());
  for (size_t i = 0; i < from.size(); ++i) {
    into.entries()[i].tensor.CopyFrom(from.entries()[i].tensor);
  }
  ASSERT_TRUE((*b)->BeginStage(0, true, *net).ok());
  EXPECT_DOUBLE_EQ((*b)->FrozenFraction(), (*a)->FrozenFraction());
  // A corrupted restored value is caught and named.
  into.entries()[1].tensor.data()[0] = 0.3f;
  into.entries()[0].tensor.data()[0] = 1.f;
  const Status s = (*b)->BeginStage(0, true, *net);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("inq: stage 0"), std::string::npos) << s.message();
}

TEST(InqRecipeTest, BadOptionsAreNamed) {
  auto net = SmallVgg(1);
  InqOptions o;
  o.bits = 10;
  StatusOr<std::unique_ptr<InqRecipe>> r = InqRecipe::Create(*net, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("10"), std::string::npos) << r.status().message();
  o.bits = 1;
  EXPECT_FALSE(InqRecipe::Create(*net, o).ok());
  o.bits = 4;
  o.schedule = {0.5, 0.4, 1.0};
  r = InqRecipe::Create(*net, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("0.4"), std::string::npos) << r.status().message();
  o.schedule = {0.5, 0.9};
  r = InqRecipe::Create(*net, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("0.9"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace moo
}  // namespace strata
