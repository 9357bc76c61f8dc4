// The accurate-edge-computing claims decide clear cases both ways, with hand-made numbers.
#include "reports/edge/claims.h"

#include <cmath>

#include "gtest/gtest.h"
#include "reports/claims_test_util.h"

namespace strata {
namespace reports {
namespace edge {
namespace {

TEST(EdgeClaims, Table5) {
  InqSweep s;
  s.inq = {{2, 40}, {3, 60}, {4, 70}, {5, 71}, {6, 72.5}, {7, 72}, {8, 71}, {9, 71}};
  s.fp = 72, s.fp_continued = 72.4;
  InqSweep below = s;
  below.inq[6] = 71.9, below.inq[7] = 71.5;
  ExpectHoldsAndFails(kMediumBitsMatchFloat, MediumBitsMatchFloat(s), MediumBitsMatchFloat(below));
  ExpectHoldsAndFails(kMediumBitsBeatExtraTraining, MediumBitsBeatExtraTraining(s),
                      MediumBitsBeatExtraTraining(below));
  InqSweep fine = s;
  fine.inq[3] = 72.1;
  ExpectHoldsAndFails(kLowBitsHurt, LowBitsHurt(s), LowBitsHurt(fine));
  std::map<int, int> paper, wide;
  for (int b = 5; b <= 9; ++b) paper[b] = b, wide[b] = b;
  wide[10] = 10;  // 3.2x: below the paper's range
  ExpectHoldsAndFails(kMemoryReduction, MemoryReduction(paper), MemoryReduction(wide));
  EXPECT_EQ(MemoryReduction(paper).evidence, "5 bits 6.4x, 7 bits 4.57x, 8 bits 4x, 9 bits 3.56x");
}

TEST(EdgeClaims, Table6) {
  const std::vector<EnsembleCurve> medium = {{"float", {70, 71, 72, 71.5}},
                                             {"8 bits", {70, 70.5, 71, 70.9}}};
  const std::vector<EnsembleCurve> largest = {{"float", {70, 71, 72, 73}},
                                              {"8 bits", {70, 70.5, 71, 70.9}}};
  const std::vector<EnsembleCurve> worse = {{"float", {70, 69, 69.5, 68}}};
  ExpectHoldsAndFails(kEnsemblesBeatOne, EnsemblesBeatOne(medium), EnsemblesBeatOne(worse));
  ExpectHoldsAndFails(kBestAtMediumCount, BestAtMediumCount(medium), BestAtMediumCount(largest));
}

TEST(EdgeClaims, Table7) {
  const std::vector<SmallModel> none = {{"vgg16_bn_small5", true, 70, 69.5, 70},
                                        {"vgg16_bn", false, 72, 73, 73}};  // contrast only
  const std::vector<SmallModel> gain = {{"vgg16_bn_small5", true, 70, 69.5, 70.1}};
  ExpectHoldsAndFails(kNoGainOnSmallModels, NoGainOnSmallModels(none), NoGainOnSmallModels(gain));
}

TEST(SameParamsAs, NarrowestWidthWithEqualDigestsForEverySeed) {
  const std::map<int, std::vector<std::string>> d = {
      {5, {"a", "b"}}, {6, {"c", "d"}}, {7, {"e", "f"}}, {8, {"e", "f"}}, {9, {"e", "f"}}};
  EXPECT_EQ(SameParamsAs(d, 5), std::nullopt);
  EXPECT_EQ(SameParamsAs(d, 6), std::nullopt);
  EXPECT_EQ(SameParamsAs(d, 7), std::nullopt);  // only narrower widths count
  EXPECT_EQ(SameParamsAs(d, 8), 7);
  EXPECT_EQ(SameParamsAs(d, 9), 7);             // the narrowest, not the next one
  EXPECT_EQ(SameParamsAs(d, 4), std::nullopt);  // a width without runs
}

TEST(SameParamsAs, OneSeedDifferingIsNotTheSameModel) {
  const std::map<int, std::vector<std::string>> d = {{7, {"e", "f"}}, {8, {"e", "g"}}};
  EXPECT_EQ(SameParamsAs(d, 8), std::nullopt);
}

}  // namespace
}  // namespace edge
}  // namespace reports
}  // namespace strata
