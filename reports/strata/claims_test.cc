// The claims of strata's own tables decide clear cases both ways; the speed claims are
// undecided where the run cannot decide them (another batch, no PyTorch).
#include "reports/strata/claims.h"

#include "gtest/gtest.h"
#include "reports/claims_test_util.h"

namespace strata {
namespace reports {
namespace strata_tables {
namespace {

TEST(StrataClaims, EveryFamilyLearns) {
  ExpectHoldsAndFails(kEveryFamilyLearns, EveryFamilyLearns({{"resnet20", 85}, {"vgg16_bn", 51}}),
                      EveryFamilyLearns({{"resnet20", 85}, {"vgg16_bn", 50}}));
  EXPECT_EQ(EveryFamilyLearns({{"resnet20", 85.5}, {"vgg16_bn", 51}}).evidence,
            "resnet20 85.5 %, vgg16_bn 51 %");
}

TEST(StrataClaims, HwsimValidation) {
  ExpectHoldsAndFails(kWorkedExample, WorkedExample(40, 40), WorkedExample(39, 40));
  EXPECT_EQ(WorkedExample(0, 0).holds, false);  // nothing compared proves nothing
  EXPECT_EQ(ReferenceDir(true, 10, 10, 0).holds, true);
  EXPECT_EQ(ReferenceDir(false, 10, 10, 0).holds, false);
  EXPECT_EQ(ReferenceDir(true, 9, 10, 0.5).holds, false);
}

SpeedRow Row(const std::string& model, const std::string& mode, double img_s, double cpu_ms,
             std::optional<double> pytorch, int batch = 128) {
  SpeedRow r;
  r.model = model, r.mode = mode, r.batch = batch;
  r.engine_img_s = img_s, r.engine_cpu_ms = cpu_ms, r.gflop_per_img = 0.243, r.params = 100;
  r.pytorch_img_s = pytorch;
  if (pytorch) r.pytorch_params = 100;
  if (!pytorch) r.pytorch_error = "no torch";
  return r;
}

TEST(StrataClaims, SpeedAgainstPytorchAndThePeak) {
  const std::vector<SpeedRow> fast = {Row("resnet20_cifar", "train", 500, 100, 400),
                                      Row("resnet20_cifar", "infer", 2000, 10, 1500)};
  const std::vector<SpeedRow> slow = {Row("resnet20_cifar", "train", 300, 100, 400),
                                      Row("resnet20_cifar", "infer", 1000, 10, 1500)};
  ExpectHoldsAndFails(kResnet20TrainVsPytorch, Resnet20VsPytorch(fast, "train", 2, ""),
                      Resnet20VsPytorch(slow, "train", 2, ""));
  ExpectHoldsAndFails(kResnet20InferVsPytorch, Resnet20VsPytorch(fast, "infer", 2, ""),
                      Resnet20VsPytorch(slow, "infer", 2, ""));
  EXPECT_EQ(
      Resnet20VsPytorch({Row("resnet20_cifar", "train", 500, 100, 400, 16)}, "train", 2, "").holds,
      std::nullopt);
  EXPECT_EQ(
      Resnet20VsPytorch({Row("resnet20_cifar", "train", 500, 100, std::nullopt)}, "train", 2, "")
          .evidence,
      "no torch");
  // 500 img/s x 0.243 GFLOP = 121.5 GFLOP/s: 60 % of 200, 30 % of 400.
  ExpectHoldsAndFails(kResnet20PctSgemm, Resnet20PctSgemm(fast, 200), Resnet20PctSgemm(fast, 400));
  std::vector<SpeedRow> other = fast;
  other[1].pytorch_params = 99;
  ExpectHoldsAndFails(kSameShapes, SameShapes(fast), SameShapes(other));
  EXPECT_EQ(SameShapes({Row("resnet20_cifar", "train", 1, 1, std::nullopt)}).holds, std::nullopt);
  const std::vector<SpeedRow> two = {Row("a", "train", 500, 1, 400),
                                     Row("b", "train", 500, 1, 500)};
  const std::vector<SpeedRow> lagging = {Row("a", "train", 500, 1, 400),
                                         Row("b", "train", 300, 1, 500)};
  ExpectHoldsAndFails(kEveryModelTrainVsPytorch, EveryModelTrainVsPytorch(two, 2, ""),
                      EveryModelTrainVsPytorch(lagging, 2, ""));
  EXPECT_EQ(EveryModelTrainVsPytorch(two, 3, "").holds, std::nullopt);  // one family unmeasured
}

TEST(StrataClaims, RecipeStepOverheads) {
  const SpeedRow fp = Row("resnet20_cifar", "train", 500, 100, 400);
  ExpectHoldsAndFails(kLsqStepOverhead,
                      StepOverhead({fp, Row("resnet20_cifar", "lsq", 450, 110, std::nullopt)},
                                   "lsq", "LSQ", kLsqOverheadBar),
                      StepOverhead({fp, Row("resnet20_cifar", "lsq", 300, 140, std::nullopt)},
                                   "lsq", "LSQ", kLsqOverheadBar));
  ExpectHoldsAndFails(kOnceQatStepOverhead,
                      StepOverhead({fp, Row("resnet20_cifar", "once", 200, 300, std::nullopt)},
                                   "once", "once-QAT", kOnceQatBar),
                      StepOverhead({fp, Row("resnet20_cifar", "once", 100, 330, std::nullopt)},
                                   "once", "once-QAT", kOnceQatBar));
  EXPECT_EQ(StepOverhead({fp}, "lsq", "LSQ", kLsqOverheadBar).holds, std::nullopt);
}

TEST(StrataClaims, TextsStateTheBars) {
  EXPECT_NE(kResnet20TrainVsPytorch.text.find(">= 0.8x"), std::string::npos);
  EXPECT_DOUBLE_EQ(kPytorchBar, 0.8);
  EXPECT_NE(kResnet20PctSgemm.text.find(">= 40 %"), std::string::npos);
  EXPECT_DOUBLE_EQ(kSgemmBarPct, 40);
  EXPECT_NE(kLsqStepOverhead.text.find("<= 1.3x"), std::string::npos);
  EXPECT_DOUBLE_EQ(kLsqOverheadBar, 1.3);
  EXPECT_NE(kOnceQatStepOverhead.text.find("<= 3.2x"), std::string::npos);
  EXPECT_DOUBLE_EQ(kOnceQatBar, 3.2);
}

}  // namespace
}  // namespace strata_tables
}  // namespace reports
}  // namespace strata
