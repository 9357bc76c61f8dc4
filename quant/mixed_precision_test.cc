// Eq. 12's solver against brute force on random small instances, its Statuses, and the
// downsampling error against a direct dequantization (VerticalDequantize).
#include "quant/mixed_precision.h"

#include <algorithm>
#include <cmath>

#include "gtest/gtest.h"
#include "quant/vertical.h"

namespace strata {
namespace quant {
namespace {

// A random instance: sizes share a factor (so the gcd is > 1 sometimes), errors fall with
// the width (as downsampling errors do) or not at all (adversarial).
std::vector<MixedLayer> Instance(uint64_t seed, int layers, int widths, bool monotone) {
  const Philox rng(seed, 0);
  std::vector<MixedLayer> out;
  int64_t c = 0;
  const int64_t factor = 1 + static_cast<int64_t>(rng.Uniform(c++) * 4);
  for (int m = 0; m < layers; ++m) {
    MixedLayer l;
    l.name = "l" + std::to_string(m);
    l.size = factor * (1 + static_cast<int64_t>(rng.Uniform(c++) * 40));
    double e = 10 * rng.Uniform(c++);
    for (int k = 0; k < widths; ++k) {
      l.error.push_back(monotone ? e : 5 * rng.Uniform(c++));
      e *= rng.Uniform(c++);
    }
    if (monotone) l.error.back() = 0;  // the source width has no downsampling error
    out.push_back(l);
  }
  return out;
}

TEST(MixedPrecisionTest, DpEqualsBruteForce) {
  const std::vector<std::vector<int>> widths = {{2, 3, 4}, {2, 4}, {1, 2, 3, 5}, {3}};
  int compared = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const std::vector<int>& bits = widths[seed % widths.size()];
    const int layers = 1 + static_cast<int>(seed % 7);
    const std::vector<MixedLayer> inst = Instance(seed, layers, bits.size(), seed % 3 != 0);
    int64_t lo = 0, hi = 0;
    for (const MixedLayer& l : inst) lo += l.size * bits.front(), hi += l.size * bits.back();
    // Budgets across the whole range, including the exact ends and beyond the top.
    for (int64_t budget : {lo, lo + 1, (lo + hi) / 2, (2 * lo + hi) / 3, hi - 1, hi, hi + 100}) {
      if (budget < lo) continue;
      StatusOr<MixedAllocation> dp = SolveMixedPrecision(inst, bits, budget);
      StatusOr<MixedAllocation> bf = SolveMixedPrecisionBruteForce(inst, bits, budget);
      ASSERT_TRUE(dp.ok() && bf.ok()) << "seed " << seed << ": " << dp.status().ToString();
      // Both sum each allocation's errors in layer order: the optima are bit-identical.
      EXPECT_EQ(dp.value().error, bf.value().error) << "seed " << seed << " budget " << budget;
      EXPECT_LE(dp.value().total_bits, budget) << "seed " << seed;
      ASSERT_EQ(dp.value().bits.size(), inst.size());
      int64_t total = 0;
      double error = 0;
      for (size_t m = 0; m < inst.size(); ++m) {
        const auto it = std::find(bits.begin(), bits.end(), dp.value().bits[m]);
        ASSERT_NE(it, bits.end());
        total += inst[m].size * *it;
        error += inst[m].error[it - bits.begin()];
      }
      EXPECT_EQ(total, dp.value().total_bits);
      EXPECT_EQ(error, dp.value().error);
      ++compared;
    }
  }
  EXPECT_GT(compared, 1500);
}

TEST(MixedPrecisionTest, BudgetDecidesTheEnds) {
  std::vector<MixedLayer> inst = {{"a", 10, {4, 1, 0}}, {"b", 30, {9, 2, 0}}};
  StatusOr<MixedAllocation> low = SolveMixedPrecision(inst, {2, 3, 4}, 80);
  ASSERT_TRUE(low.ok());
  EXPECT_EQ(low.value().bits, (std::vector<int>{2, 2}));
  EXPECT_EQ(low.value().error, 13);
  StatusOr<MixedAllocation> top = SolveMixedPrecision(inst, {2, 3, 4}, 160);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top.value().bits, (std::vector<int>{4, 4}));
  EXPECT_EQ(top.value().error, 0);
  // 110 bits: b at 3 (cost +30, saves 7) beats a at 4 (+20, saves 4) — and both does not fit.
  StatusOr<MixedAllocation> mid = SolveMixedPrecision(inst, {2, 3, 4}, 110);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid.value().bits, (std::vector<int>{2, 3}));
  EXPECT_EQ(mid.value().total_bits, 110);
}

TEST(MixedPrecisionTest, BadInputIsAStatusNamingFieldAndValue) {
  const std::vector<MixedLayer> inst = {{"conv", 10, {1, 0}}};
  StatusOr<MixedAllocation> r = SolveMixedPrecision(inst, {2, 4}, 19);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("budget 19 bits is infeasible"), std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().message().find("20 bits"), std::string::npos);
  EXPECT_FALSE(SolveMixedPrecisionBruteForce(inst, {2, 4}, 19).ok());
  r = SolveMixedPrecision({}, {2, 4}, 100);
  EXPECT_FALSE(r.ok());
  r = SolveMixedPrecision(inst, {4, 2}, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bits[1]: 2"), std::string::npos) << r.status().ToString();
  r = SolveMixedPrecision({{"conv", 10, {1}}}, {2, 4}, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'conv'"), std::string::npos);
  r = SolveMixedPrecision({{"conv", 0, {1, 0}}}, {2, 4}, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(".size: 0"), std::string::npos) << r.status().ToString();
  r = SolveMixedPrecision({{"conv", 10, {NAN, 0}}}, {2, 4}, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("error[0]"), std::string::npos) << r.status().ToString();
  // A table beyond the limit: coprime sizes, huge budget range.
  std::vector<MixedLayer> big;
  for (int m = 0; m < 64; ++m) big.push_back({"l", (int64_t{1} << 26) + 2 * m + 1, {1, 0}});
  r = SolveMixedPrecision(big, {2, 4}, int64_t{1} << 40);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("DP table limit"), std::string::npos);
}

TEST(MixedPrecisionTest, DownsamplingErrorMatchesDequantizedWeights) {
  const Philox rng(7, 0);
  Tensor w = Tensor::Empty({3, 4, 3, 3});
  for (int64_t i = 0; i < w.numel(); ++i) w.data()[i] = 0.1f * rng.Normal(i);
  const float s_w = InitSourceStep(w, 4);
  const std::vector<int32_t> q4 = VerticalCodes(w, s_w, 4, 4);
  for (bool comp : {false, true}) {
    const Tensor top = VerticalDequantize(q4, w.shape(), s_w, 4, 4, comp);
    double prev = -1;
    for (int b = 4; b >= 1; --b) {
      const Tensor wb = VerticalDequantize(VerticalCodes(w, s_w, 4, b), w.shape(), s_w, 4, b, comp);
      double ref = 0;
      for (int64_t i = 0; i < w.numel(); ++i) {
        const double d = static_cast<double>(wb.data()[i]) - top.data()[i];
        ref += d * d;
      }
      const double e = DownsamplingError(q4, s_w, 4, b, comp);
      EXPECT_NEAR(e, ref, 1e-6 * (ref + 1e-12)) << "bits " << b << " comp " << comp;
      EXPECT_GT(e, prev) << "fewer bits, larger error";
      prev = e;
    }
  }
  EXPECT_EQ(DownsamplingError(q4, s_w, 4, 4, true), 0.0);
}

}  // namespace
}  // namespace quant
}  // namespace strata
