// LSQ and the vertical-layering baselines through the real training loop: a killed and
// resumed run ends with the uninterrupted digest; ascending stages leave the lower-bit model
// bit-identical; co-training finishes (diverged or not) as a result; bad plans are Statuses
// naming the layer and value.
#include <string>

#include "gtest/gtest.h"
#include "moo/train/test_util.h"
#include "moo/train/train.h"

namespace strata {
namespace moo {
namespace {

// ResNet-20 at width 1/4 on 128 synthetic images, 2 epochs of 4 batches.
const std::string kBase = R"pb(
                            name: "qat"
                            model { name: "resnet20" width: 0.25 }
                          )pb" +
                          SyntheticData(128, 64) + R"pb(
  batch_size: 32
  epochs: 2
  optimizer { lr: 0.01 momentum: 0.9 weight_decay: 5e-4 no_decay_on_bn: true }
  schedule { kind: COSINE }
  seed: 7
)pb";

ExperimentConfig Config(const std::string& recipe) { return ParseOrFail(kBase + recipe); }

RunResult Train(const ExperimentConfig& c, const std::string& dir, int64_t interrupt = 0,
                bool resume = false) {
  TrainOptions o;
  o.out_dir = dir;
  o.resume = resume;
  o.interrupt_after_batches = interrupt;
  StatusOr<RunResult> r = RunExperiment(c, o);
  if (interrupt > 0) {
    EXPECT_FALSE(r.ok());
    return RunResult();
  }
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : RunResult();
}

void ExpectResumeEqualsUninterrupted(const std::string& recipe, const std::string& name,
                                     int64_t interrupt) {
  const ExperimentConfig c = Config(recipe);
  const RunResult full = Train(c, TestTmpDir(name + "_full"));
  Train(c, TestTmpDir(name + "_killed"), interrupt);
  const RunResult resumed = Train(c, TestTmpDir(name + "_killed"), 0, /*resume=*/true);
  EXPECT_FALSE(full.param_digest().empty());
  EXPECT_EQ(full.param_digest(), resumed.param_digest()) << recipe;
  EXPECT_TRUE(resumed.resumed());
}

TEST(QuantRecipesTest, LsqResumeGivesTheSameDigest) {
  // Killed in epoch 2: activation steps were initialised in epoch 1 and must not be redone.
  ExpectResumeEqualsUninterrupted("lsq { plan { w_bits: 2 a_bits: 2 } }", "lsq", 6);
}

TEST(QuantRecipesTest, AscendingResumeInsideALaterStageGivesTheSameDigest) {
  // 3 stages x 2 epochs x 4 batches; killed in stage 1 (epoch 3).
  ExpectResumeEqualsUninterrupted("ascending { }", "ascending", 19);
}

TEST(QuantRecipesTest, AscendingStagesLeaveTheLowerBitModelUnchanged) {
  const RunResult r = Train(Config("ascending { }"), TestTmpDir("ascending_frozen"));
  ASSERT_EQ(r.epochs_size(), 6);
  ASSERT_EQ(r.final_evals_size(), 3);
  EXPECT_EQ(r.final_evals(2).name(), "w4a4");
  // w2a2 after stage 0 (epoch 2) and at the very end: the same network, the same numbers.
  EXPECT_EQ(r.epochs(1).evals(0).name(), "w2a2");
  EXPECT_EQ(r.epochs(1).evals(0).loss(), r.final_evals(0).loss());
  EXPECT_EQ(r.epochs(1).evals_size(), 1);
  EXPECT_EQ(r.epochs(3).evals(1).loss(), r.final_evals(1).loss());  // w3a3 after stage 1
}

TEST(QuantRecipesTest, CotrainingFinishesAsAResult) {
  const RunResult r = Train(Config("cotrain { }"), TestTmpDir("cotrain"));
  if (!r.diverged()) {
    ASSERT_EQ(r.final_evals_size(), 3);
    EXPECT_EQ(r.final_evals(0).name(), "w2a2");
  }
  EXPECT_GT(r.epochs_size(), 0);
}

TEST(QuantRecipesTest, BadPlansAreStatusesNamingLayerAndValue) {
  struct Case {
    std::string recipe, needle1, needle2;
  } cases[] = {
      {"lsq { plan { w_bits: 2 a_bits: 2 layers { name: \"layer9.conv\" w_bits: 4 a_bits: 4 } } }",
       "lsq.plan.layers[0].name", "'layer9.conv'"},
      {"lsq { plan { w_bits: 17 a_bits: 2 } }", "lsq.plan.w_bits", "17"},
      {"lsq { plan { w_bits: 2 a_bits: 2 layers { name: \"layer1.0.conv1\" w_bits: 4 } } }",
       "layer1.0.conv1", "no quantizer"},
      {"ascending { basic_bits: 4 max_bits: 3 }", "ascending.max_bits", "3"},
      {"cotrain { max_bits: 17 }", "cotrain.max_bits", "17"},
  };
  for (const Case& c : cases) {
    StatusOr<ExperimentConfig> config = ParseExperimentConfig(kBase + c.recipe, "bad.pbtxt");
    Status s = config.status();
    if (config.ok()) {
      TrainOptions o;
      o.out_dir = TestTmpDir("bad_plan");
      s = RunExperiment(config.value(), o).status();
    }
    ASSERT_FALSE(s.ok()) << c.recipe;
    EXPECT_NE(s.message().find(c.needle1), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find(c.needle2), std::string::npos) << s.ToString();
  }
}

}  // namespace
}  // namespace moo
}  // namespace strata
