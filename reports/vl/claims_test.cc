// The vertical-layering claims decide clear cases both ways, with hand-made numbers.
#include "reports/vl/claims.h"

#include <cmath>

#include "gtest/gtest.h"
#include "reports/claims_test_util.h"

namespace strata {
namespace reports {
namespace vl {
namespace {

const double kNan = std::nan("");

TEST(VlClaims, Table1) {
  const PerWidth lsq = {60, 70, 80};
  ExpectHoldsAndFails(kAscendingBelowLsq, AscendingBelowLsq(lsq, {65, 69, 80}),
                      AscendingBelowLsq(lsq, {59, 71, 79}));
  EXPECT_EQ(AscendingBelowLsq(lsq, {65, 69, 80}).evidence,
            "3/3: ascending 69.00 vs LSQ 70.00; 4/4: ascending 80.00 vs LSQ 80.00");
  ExpectHoldsAndFails(kCotrainDiverges, CotrainDiverges(false, {10, 20, 30}, lsq),
                      CotrainDiverges(false, {58, 20, 30}, lsq));
  EXPECT_EQ(CotrainDiverges(true, {59, 69, 79}, lsq).holds, true);  // a NaN loss is enough
  EXPECT_EQ(CotrainDiverges(false, {kNan, kNan, kNan}, lsq).holds, true);
}

TEST(VlClaims, Table2) {
  const PerWidth lsq = {60, 70, 80};
  ExpectHoldsAndFails(kTable2OnceQatNearLsq, OnceQatNearLsq({59.5, 69.1, 81}, lsq),
                      OnceQatNearLsq({58.9, 70, 80}, lsq));
  ExportFacts ok{true, "", {100, 150, 200}}, bad{false, "no run", {}};
  ExpectHoldsAndFails(kOnlyOnceQatVertical, OnlyOnceQatVertical(ok), OnlyOnceQatVertical(bad));
  EXPECT_NE(OnlyOnceQatVertical(ok).evidence.find("100 / 150 / 200"), std::string::npos);
}

TEST(VlClaims, Table3) {
  const std::vector<Versus> near = {{"ResNet-18", {60, 70, 80}, {60.5, 70.9, 80}},
                                    {"ResNet-34", {62, 72, 82}, {61, 71, 81}}};
  const std::vector<Versus> far = {{"ResNet-18", {60, 70, 80}, {60.5, 70.9, 80}},
                                   {"ResNet-34", {62, 72, 82}, {61, 73.5, 81}}};
  ExpectHoldsAndFails(kTable3OnceQatNearLsq, EveryNetworkOnceQatNearLsq(near),
                      EveryNetworkOnceQatNearLsq(far));
  ExpectHoldsAndFails(kSelfKdHelps2Bit, SelfKdHelps2Bit({{"ResNet-18", {61, 0, 0}, {60, 0, 0}}}),
                      SelfKdHelps2Bit({{"ResNet-18", {61, 0, 0}, {60, 0, 0}},
                                       {"ResNet-34", {59, 0, 0}, {60, 0, 0}}}));
}

TEST(VlClaims, Table4) {
  ExpectHoldsAndFails(kSharedBnCollapses,
                      SharedBnCollapses({{"ResNet-18", {70, 40, 80}, {71, 71, 81}}}),
                      SharedBnCollapses({{"ResNet-18", {70, 62, 80}, {71, 71, 81}}}));
  EXPECT_EQ(SharedBnCollapses({{"ResNet-18", {kNan, 70, 80}, {71, 71, 81}}}).holds, true);
  ExpectHoldsAndFails(kIndividualGeStatistics,
                      IndividualGeStatistics({{"ResNet-18", {70, 70.6, 80}, {70.5, 71, 80}}}),
                      IndividualGeStatistics({{"ResNet-18", {70, 70, 80}, {70.6, 70, 80}}}));
}

TEST(VlClaims, Table5) {
  Table5Top1 t;
  t[kAscending] = {60, 70, 80}, t[kQatFinetune] = {40, 70, 81}, t[kAdabits] = {58, 69, 79};
  t[kOnceQat] = {61, 71, 80.5}, t[kOnceQatKd] = {61.5, 70, 80};
  Table5Top1 close = t;
  close[kQatFinetune] = {58, 70, 81};
  ExpectHoldsAndFails(kQatFtCollapsesAt2Bit, QatFtCollapsesAt2Bit(t), QatFtCollapsesAt2Bit(close));
  Table5Top1 behind = t;
  behind[kOnceQat] = {50, 71, 80.5}, behind[kOnceQatKd] = {51, 70, 80};
  ExpectHoldsAndFails(kOnceQatNearBest, OnceQatNearBest(t), OnceQatNearBest(behind));
  const StorageBits five{5000, 1000, 816'100'000, 159'600'000};
  const StorageBits paper_off{5000, 1000, 300'000'000, 159'600'000};
  ExpectHoldsAndFails(kAdabitsFpStorage, AdabitsFpStorage(five), AdabitsFpStorage(paper_off));
  EXPECT_EQ(AdabitsFpStorage({3000, 1000, 816'100'000, 159'600'000}).holds, false);  // ours < 4x
}

TEST(VlClaims, Table6) {
  ExpectHoldsAndFails(kUsGeMgd, UsGeMgd3And4Bit({{"ResNet-18", {50, 70, 80}, {60, 69, 80}}}),
                      UsGeMgd3And4Bit({{"ResNet-18", {60, 70, 79.9}, {50, 69, 80}}}));
}

TEST(VlClaims, Table7) {
  const PerWidth without = {50, 70, 80};
  for (const ClaimSpec* spec :
       {&kResNet18CompensationRaises2Bit, &kMobileNetV2CompensationRaises2Bit}) {
    ExpectHoldsAndFails(*spec, CompensationRaises2Bit({51, 70, 80}, without),
                        CompensationRaises2Bit({50.9, 75, 85}, without));
  }
  for (const ClaimSpec* spec :
       {&kResNet18CompensationNoneWorse, &kMobileNetV2CompensationNoneWorse}) {
    ExpectHoldsAndFails(*spec, CompensationNoneWorse({50, 69.5, 80}, without),
                        CompensationNoneWorse({55, 69.4, 80}, without));
  }
}

TEST(VlClaims, Table8) {
  ExpectHoldsAndFails(kPerBitEndsLittleGain,
                      PerBitEndsLittleGain({{"ResNet-18", {60.9, 70, 79}, {60, 70, 80}}}),
                      PerBitEndsLittleGain({{"ResNet-18", {61, 70, 79}, {60, 70, 80}}}));
}

TEST(VlClaims, Table9) {
  ExpectHoldsAndFails(kCosineGeNone2Bit, CosineGeNone2Bit({{"ResNet-18", {60, 0, 0}, {60, 0, 0}}}),
                      CosineGeNone2Bit({{"ResNet-18", {59.9, 0, 0}, {60, 0, 0}}}));
  ExpectHoldsAndFails(kKlNoBetter, KlNoBetter({{"ResNet-18", {60.5, 70, 79}, {60, 70, 80}}}),
                      KlNoBetter({{"ResNet-18", {60, 70.6, 79}, {60, 70, 80}}}));
}

TEST(VlClaims, Fig5) {
  Fig5Facts piles;
  piles.lsq[0] = {50, 50, 0.01}, piles.lsq[1] = {50, 50, 0};
  piles.plain[0] = {65, 35, -0.3}, piles.plain[1] = {55, 45, -0.1};
  piles.once[0] = {51, 49, 0}, piles.once[1] = {50, 50, 0};
  piles.plain_w1[0] = 0.4, piles.plain_w1[1] = 0.2, piles.once_w1[0] = 0.1, piles.once_w1[1] = 0.05;
  Fig5Facts flat = piles;
  flat.plain[0].le_zero = 55, flat.plain_w1[1] = 0.01;
  ExpectHoldsAndFails(kPlainDownsamplingPiles, PlainDownsamplingPiles(piles),
                      PlainDownsamplingPiles(flat));
  ExpectHoldsAndFails(kOnceQatResemblesLsq, OnceQatResemblesLsq(piles), OnceQatResemblesLsq(flat));
}

TEST(VlClaims, Fig7) {
  ExpectHoldsAndFails(kMgdAlphaUnstable, MgdAlphaUnstable({0.02, 0.15, 0.01}),
                      MgdAlphaUnstable({0.02, 0.09, 0.01}));
  ExpectHoldsAndFails(kMgdAlphaWeightedTo2Bit, MgdAlphaWeightedTo2Bit({0.5, 0.3, 0.2}),
                      MgdAlphaWeightedTo2Bit({0.3, 0.35, 0.35}));
  LateError lower{0.01, 0.02, 60, 58, 60, 58}, higher = lower;
  higher.mse_with = 0.03;
  ExpectHoldsAndFails(kSelfKdLowersLateError, SelfKdLowersLateError(lower),
                      SelfKdLowersLateError(higher));
}

TEST(VlClaims, Fig8) {
  const std::vector<MixedPoint> rising = {{2, 50, 10}, {2.5, 55, 12}, {3, 60, 14}, {4, 62, 18}};
  const std::vector<MixedPoint> falling = {{2, 62, 10}, {2.5, 60, 12}, {3, 55, 14}, {4, 50, 18}};
  ExpectHoldsAndFails(kAccuracyRisesWithBudget, AccuracyRisesWithBudget(rising),
                      AccuracyRisesWithBudget(falling));
  ExpectHoldsAndFails(kMixedBeatsUniform3, MixedBeatsUniform3(rising, 54, 14),
                      MixedBeatsUniform3(rising, 61, 14));
  ExpectHoldsAndFails(kMixedPathSelfCheck, MixedPathSelfCheck({{2, 55.5, 55.5}, {3, 60, 60}}),
                      MixedPathSelfCheck({{2, 55.5, 55.5}, {3, 60, 60.0001}}));
  EXPECT_DOUBLE_EQ(Spearman({1, 2, 3}, {10, 20, 30}), 1.0);
  EXPECT_DOUBLE_EQ(Spearman({1, 2, 3}, {30, 20, 10}), -1.0);
  EXPECT_DOUBLE_EQ(Spearman({1, 2, 3, 4}, {1, 1, 2, 2}), Spearman({1, 2, 3, 4}, {5, 5, 7, 7}));
}

}  // namespace
}  // namespace vl
}  // namespace reports
}  // namespace strata
