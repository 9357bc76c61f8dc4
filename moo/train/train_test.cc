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

// Every recipe's options are checked by its OptionsFrom when the config is parsed, before
// any data is opened (the data here does not exist), the error naming file, field, value.
TEST(TrainLibrary, EveryRecipesBadOptionIsNamedBeforeAnyDataIsOpened) {
  const std::string base = R"pb(
    model { name: "resnet20" }
    train_data { kind: IDX split: TRAIN idx_images: "/no/such/images" idx_labels: "/no/such" }
    test_data { kind: IDX split: TEST idx_images: "/no/such/images" idx_labels: "/no/such" }
    batch_size: 8 epochs: 1 optimizer { lr: 0.1 }
  )pb";
  for (const auto& [recipe, error] : std::vector<std::pair<std::string, std::string>>{
           {"once_qat { source_bits: 9 }", "once_qat.source_bits: 9"},
           {"once_qat { bn: 7 }", "once_qat.bn: 7"},
           {"ascending { basic_bits: 4 max_bits: 3 }", "ascending.max_bits: 3"},
           {"cotrain { max_bits: 17 }", "field 'cotrain.max_bits': value 17"},
           {"qat_finetune { basic_bits: 5 source_bits: 4 }", "qat_finetune.source_bits: 4"},
           {"adabits { max_bits: 20 }", "adabits.max_bits: 20"},
           {"inq { bits: 12 }", "inq.bits: 12"},
           {"inq { bits: 4 schedule: [0.5, 0.4, 1] }", "inq.schedule: "},
           {"lsq { plan { w_bits: 0 a_bits: 4 } }", "field 'lsq.plan.w_bits': value 0"},
           {"lsq { plan { w_bits: 4 a_bits: 4 layers { name: \"x\" w_bits: 4 } } }",
            "lsq.plan.layers[0]"}}) {
    const StatusOr<ExperimentConfig> c = ParseExperimentConfig(base + recipe, "bad.pbtxt");
    ASSERT_FALSE(c.ok()) << recipe;
    EXPECT_EQ(c.status().message().find("bad.pbtxt: " + error), 0u) << recipe << ": " << c.status().message();
  }
}

}  // namespace
}  // namespace moo
}  // namespace strata
