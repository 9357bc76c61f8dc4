#include "engine/kernels/gemm.h"

#include <cmath>
#include <vector>

#include "engine/kernels/test_util.h"
#include "engine/parallel.h"
#include "gtest/gtest.h"

namespace strata {
namespace kernels {
namespace {

struct GemmCase {
  bool ta, tb;
  int M, N, K;
  float alpha, beta;
};

std::vector<float> RunGemm(const GemmCase& g, bool reference, uint64_t seed) {
  const int lda = (g.ta ? g.M : g.K) + 3, ldb = (g.tb ? g.K : g.N) + 1, ldc = g.N + 2;
  const auto a = RandomVector(int64_t(g.ta ? g.K : g.M) * lda, seed, 1);
  const auto b = RandomVector(int64_t(g.tb ? g.N : g.K) * ldb, seed, 2);
  auto c = RandomVector(int64_t(g.M) * ldc, seed, 3);
  (reference ? GemmReference : Gemm)(g.ta, g.tb, g.M, g.N, g.K, g.alpha, a.data(), lda, b.data(),
                                     ldb, g.beta, c.data(), ldc);
  return c;
}

TEST(GemmTest, AgreesWithReferenceOnAwkwardSizes) {
  const int sizes[] = {1, 2, 3, 7, 8, 9, 16, 17, 31, 33, 64, 65};
  uint64_t seed = 0;
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      for (int m : sizes) {
        for (int k : {1, 5, 17, 64, 129}) {
          const GemmCase g{
              bool(ta), bool(tb), m, sizes[(m + k) % 12], k, 1.5f, seed % 2 ? 1.f : 0.f};
          ++seed;
          EXPECT_TRUE(Agree(RunGemm(g, false, seed), RunGemm(g, true, seed), k))
              << "ta=" << ta << " tb=" << tb << " M=" << g.M << " N=" << g.N << " K=" << k
              << " seed=" << seed;
        }
      }
    }
  }
}

TEST(GemmTest, SameBitsForOneTwoThreeThreadsAndInsideParallelFor) {
  const GemmCase g{false, true, 96, 700, 300, 1.f, 0.f};
  SetNumThreads(1);
  const auto one = RunGemm(g, false, 7);
  SetNumThreads(2);
  const auto two = RunGemm(g, false, 7);
  SetNumThreads(3);
  const auto three = RunGemm(g, false, 7);
  std::vector<float> inside;
  SetNumThreads(2);
  ParallelFor(2, 1, [&](int64_t b, int64_t e) {
    if (b == 0) inside = RunGemm(g, false, 7);
  });
  EXPECT_TRUE(BitIdentical(one, two));
  EXPECT_TRUE(BitIdentical(one, three));
  EXPECT_TRUE(BitIdentical(one, inside));
}

TEST(GemmTest, BetaZeroIgnoresGarbage) {
  std::vector<float> a{1, 2}, b{3, 4}, c(1, std::nanf(""));
  Gemm(false, false, 1, 1, 2, 1.f, a.data(), 2, b.data(), 1, 0.f, c.data(), 1);
  EXPECT_EQ(c[0], 11.f);
}

}  // namespace
}  // namespace kernels
}  // namespace strata
