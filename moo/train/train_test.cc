// The library in-process, with no reports/ code: train a small network a few steps, reload
// the finished run and evaluate it; the reloaded network gives the accuracy the run
// recorded, bit for bit (FP and once-QAT), and LoadRun names what it cannot read.
#include "moo/train/train.h"

#include "gtest/gtest.h"
#include "moo/train/test_util.h"

namespace strata {
namespace moo {
namespace {

ExperimentConfig Tiny(const std::string& recipe) {
  return ParseOrFail(R"pb(
                       name: "tiny"
                       model { name: "resnet20" width: 0.25 }
                     )pb" +
                     SyntheticData(96, 40) + R"pb(
                       batch_size: 32
                       epochs: 1
                       optimizer { lr: 0.05 momentum: 0.9 }
                       seed: 5
                       max_steps: 2
                     )pb" +
                     recipe);
}

TEST(TrainLibrary, TrainsInProcessAndTheReloadedRunEvaluatesAsItRan) {
  for (const std::string recipe : {"fp {}", "once_qat {}"}) {
    SCOPED_TRACE(recipe);
    TrainOptions options;
    options.out_dir = TestTmpDir("run_" + recipe.substr(0, 2));
    StatusOr<RunResult> result = RunExperiment(Tiny(recipe), options);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->steps(), 2);
    StatusOr<LoadedRun> run = LoadRun(options.out_dir);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->config.model().in_channels(), 1);  // resolved from the data
    EXPECT_EQ(run->config.model().num_classes(), 4);
    StatusOr<EvalRecord> e = EvaluateTestSet(run->config, *run->net, run->EvalContext());
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->top1(), result->final_evals(0).top1());
    EXPECT_EQ(e->loss(), result->final_evals(0).loss());
  }
}

TEST(TrainLibrary, LoadRunNamesWhatItCannotRead) {
  const StatusOr<LoadedRun> missing = LoadRun(TestTmpDir("no_such_run"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_run/result.pb"), std::string::npos)
      << missing.status().message();
  TrainOptions options;
  options.out_dir = TestTmpDir("short");
  ASSERT_TRUE(RunExperiment(Tiny("fp {}"), options).ok());
  ASSERT_TRUE(WriteFileAtomic(options.out_dir + "/weights.ckpt", "not a checkpoint").ok());
  const StatusOr<LoadedRun> bad = LoadRun(options.out_dir);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("weights.ckpt"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace moo
}  // namespace strata
