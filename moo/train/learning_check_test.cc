// A real learning check: ResNet-20 at width 1/4 trained for 316 steps on 5,000
// Fashion-MNIST images (moo/train/testdata/resnet20w025_fmnist_quick.pbtxt) beats 70 % test
// top-1 on 1,000 test images. Needs Debian's dataset-fashion-mnist (skipped without it,
// failed when CI=true).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"
#include "moo/train/train.h"

namespace strata {
namespace moo {
namespace {

TEST(LearningCheck, ResNet20QuarterWidthBeats70PercentOnFashionMnist) {
  if (!FileExists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::strcmp(ci, "true") == 0) FAIL() << "dataset-fashion-mnist missing";
    GTEST_SKIP() << "install Debian's dataset-fashion-mnist to run the learning check";
  }
  StatusOr<ExperimentConfig> config =
      LoadExperimentConfig("moo/train/testdata/resnet20w025_fmnist_quick.pbtxt");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  TrainOptions options;
  options.out_dir = std::string(std::getenv("TEST_TMPDIR")) + "/learning_check";
  const auto start = std::chrono::steady_clock::now();
  StatusOr<RunResult> r = RunExperiment(config.value(), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const EpochRecord& e : r->epochs()) {
    std::printf("epoch %d: train loss %.4f  train top-1 %.2f%%  test top-1 %.2f%%  %.0f img/s\n",
                e.epoch(), e.train_loss(), e.train_top1(), e.test_top1(), e.images_per_second());
  }
  std::printf("%lld steps in %.1f s; test top-1 %.2f%%\n", static_cast<long long>(r->steps()), secs,
              r->final_test_top1());
  EXPECT_GE(r->steps(), 300);
  EXPECT_FALSE(r->diverged());
  EXPECT_GT(r->final_test_top1(), 70.0);
}

}  // namespace
}  // namespace moo
}  // namespace strata
