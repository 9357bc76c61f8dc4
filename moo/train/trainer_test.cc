// The training loop: kill + resume and thread count leave the final digest unchanged;
// bad input is a Status naming the field/file and value, with no output written.
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "moo/train/progress.h"
#include "moo/train/test_util.h"
#include "moo/train/train.h"

namespace strata {
namespace moo {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// ResNet-20 at width 1/4 on 192 synthetic 28x28 images (padded to 32), 2 epochs of 6
// batches, CIFAR-style augmentation.
const std::string kTiny = R"pb(
                            name: "tiny"
                            model { name: "resnet20" width: 0.25 }
                          )pb" +
                          SyntheticData(192, 64) + R"pb(
  batch_size: 32
  epochs: 2
  optimizer { lr: 0.05 momentum: 0.9 weight_decay: 5e-4 no_decay_on_bn: true }
  schedule { kind: COSINE warmup_epochs: 0.5 }
  seed: 7
)pb";

RunResult MustRun(const ExperimentConfig& c, const std::string& dir, bool resume = false) {
  TrainOptions o;
  o.out_dir = dir;
  o.resume = resume;
  StatusOr<RunResult> r = RunExperiment(c, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : RunResult();
}

TEST(TrainerTest, KilledMidEpochAndResumedEqualsUninterruptedForAnyThreadCount) {
  ExperimentConfig c = ParseOrFail(kTiny);
  c.set_threads(2);
  const RunResult full = MustRun(c, TestTmpDir("full"));
  ASSERT_EQ(full.epochs_size(), 2);
  EXPECT_EQ(full.steps(), 12);
  EXPECT_EQ(full.param_digest().size(), 64u);
  EXPECT_TRUE(Exists(TestTmpDir("full") + "/result.json"));

  // "Kill" in the second epoch (batch 9 of 12): epoch 1's checkpoint is on disk.
  TrainOptions o;
  o.out_dir = TestTmpDir("killed");
  o.interrupt_after_batches = 9;
  EXPECT_FALSE(RunExperiment(c, o).ok());
  EXPECT_TRUE(Exists(TestTmpDir("killed") + "/checkpoint.ckpt"));
  EXPECT_FALSE(Exists(TestTmpDir("killed") + "/result.pb"));
  c.set_threads(1);  // and resume with another thread count
  const RunResult resumed = MustRun(c, TestTmpDir("killed"), /*resume=*/true);
  EXPECT_TRUE(resumed.resumed());
  EXPECT_EQ(resumed.epochs_size(), 2);
  EXPECT_EQ(resumed.epochs(0).train_loss(), full.epochs(0).train_loss());
  EXPECT_EQ(resumed.epochs(1).test_top1(), full.epochs(1).test_top1());
  EXPECT_EQ(resumed.param_digest(), full.param_digest());

  // Resuming a finished run changes nothing.
  EXPECT_EQ(MustRun(c, TestTmpDir("killed"), true).param_digest(), full.param_digest());
  // An uninterrupted run on one thread.
  EXPECT_EQ(MustRun(c, TestTmpDir("one_thread")).param_digest(), full.param_digest());
}

TEST(TrainerTest, ResultJsonIsDeterministic) {
  RunResult r;
  r.set_param_digest("abc");
  r.add_epochs()->set_test_top1(91.5);
  const std::string a = DeterministicJson(r);
  EXPECT_EQ(a, DeterministicJson(r));
  EXPECT_NE(a.find("\"test_top1\": 91.5"), std::string::npos) << a;
}

TEST(TrainerTest, NanLossIsAResultNotAnError) {
  ExperimentConfig c = ParseOrFail(kTiny);
  // p <- p - 100 (g + p): every parameter is multiplied by about -99 per step until it
  // overflows.
  c.mutable_optimizer()->set_lr(100);
  c.mutable_optimizer()->set_weight_decay(1);
  c.mutable_optimizer()->set_no_decay_on_bn(false);
  c.set_epochs(20);
  const RunResult r = MustRun(c, TestTmpDir("nan"));
  EXPECT_TRUE(r.diverged());
  EXPECT_LT(r.epochs_size(), 20);
  EXPECT_TRUE(std::isnan(r.final_test_top1()));
  EXPECT_TRUE(Exists(TestTmpDir("nan") + "/result.pb"));
}

// Each bad input: a Status naming what and where, and nothing written.
void ExpectRejected(const std::string& text, const std::string& message, const std::string& dir) {
  StatusOr<ExperimentConfig> c = ParseExperimentConfig(text, "bad.pbtxt");
  std::string error;
  if (!c.ok()) {
    error = c.status().ToString();
  } else {
    TrainOptions o;
    o.out_dir = TestTmpDir(dir);
    StatusOr<RunResult> r = RunExperiment(c.value(), o);
    ASSERT_FALSE(r.ok()) << "accepted: " << message;
    error = r.status().ToString();
  }
  EXPECT_NE(error.find(message), std::string::npos) << error;
  EXPECT_FALSE(Exists(TestTmpDir(dir))) << error;
}

TEST(TrainerTest, BadInputIsAStatusNamingFieldAndValueWithNoOutput) {
  const std::string tiny = kTiny;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = tiny;
    const size_t at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  ExpectRejected(with("\"resnet20\"", "\"resnet21\""), "model.name: unknown model 'resnet21'",
                 "b1");
  ExpectRejected(with("width: 0.25", "width: -2"), "model.width: -2 must be in (0, 8]", "b2");
  ExpectRejected(with("epochs: 2", "epochs: \"two\""), "bad.pbtxt:", "b3");
  ExpectRejected(with("epochs: 2", "epochs: 0"), "bad.pbtxt: epochs: 0 must be in [1", "b4");
  ExpectRejected(with("lr: 0.05", "lr: -0.1"), "optimizer.lr: -0.1", "b5");
  ExpectRejected(with("batch_size: 32", "batch_size: 2.5"), "bad.pbtxt:", "b6");
  ExpectRejected(
      with("kind: SYNTHETIC split: TRAIN", "kind: CIFAR10 path: \"/no/such\" split: TRAIN"),
      "train_data: ", "b7");
  ExpectRejected(
      with("kind: SYNTHETIC split: TRAIN", "kind: CIFAR10 path: \"/no/such\" split: TRAIN"),
      "/no/such", "b7");
  ExpectRejected(with("seed: 7", "seed: 7 colour: 3"), "colour", "b8");
}

TEST(TrainerTest, CheckpointFromAnotherModelIsRejected) {
  ExperimentConfig c = ParseOrFail(kTiny);
  c.set_epochs(1);
  MustRun(c, TestTmpDir("other"));
  // Same directory, another model: the experiment key differs.
  ExperimentConfig vgg = c;
  vgg.mutable_model()->set_name("vgg16_bn_small5");
  TrainOptions o;
  o.out_dir = TestTmpDir("other");
  o.resume = true;
  StatusOr<RunResult> r = RunExperiment(vgg, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("checkpoint.ckpt: written by a different experiment"),
            std::string::npos)
      << r.status().ToString();
  // The progress record rewritten to match, the checkpoint still ResNet-20's: the
  // checkpoint loader names the file and the mismatch.
  {
    TrainOptions v;
    v.out_dir = TestTmpDir("vgg");
    vgg.set_epochs(1);
    MustRun(vgg, v.out_dir);
    ASSERT_EQ(std::rename((TestTmpDir("other") + "/checkpoint.ckpt").c_str(),
                          (TestTmpDir("vgg") + "/checkpoint.ckpt").c_str()),
              0);
    v.resume = true;
    const std::string before = ReadFile(TestTmpDir("vgg") + "/result.pb").value();
    StatusOr<RunResult> bad = RunExperiment(vgg, v);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().ToString().find("checkpoint.ckpt"), std::string::npos)
        << bad.status().ToString();
    EXPECT_EQ(ReadFile(TestTmpDir("vgg") + "/result.pb").value(), before);
  }
}

TEST(ProgressTest, Lines) {
  ProgressState p;
  p.epoch = 3, p.epochs = 30, p.batch = 120, p.batches = 469;
  p.loss = 0.31214, p.top1 = 88.912, p.images_per_second = 1234.4, p.eta_seconds = 3725;
  EXPECT_EQ(FormatProgress(p, false),
            "epoch 3/30  batch 120/469  loss 0.3121  acc 88.91%  1234 img/s  ETA 1h02m");
  p.top1 = 91.2;
  EXPECT_EQ(FormatProgress(p, true), "epoch 3/30 done  loss 0.3121  test top-1 91.20%  1234 img/s");
  EXPECT_EQ(FormatDuration(245), "4m05s");
  EXPECT_EQ(FormatDuration(12), "12s");
}

}  // namespace
}  // namespace moo
}  // namespace strata
