#include "quant/kernels/lsq_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/parallel.h"
#include "engine/rng.h"
#include "gtest/gtest.h"

namespace strata {
namespace quant {
namespace kernels {
namespace {

struct Range {
  int32_t qn, qp;
};
// 1-bit signed {-1, 0}, 2/4/8-bit signed and unsigned, 16-bit signed.
const Range kRanges[] = {{1, 0}, {2, 1}, {8, 7}, {128, 127}, {0, 3}, {0, 15}, {0, 255}, {32768, 32767}};
const int64_t kSizes[] = {1, 2, 7, 8, 9, 17, 31, 33, 63, 65, 1009, 16384, 16385, 100003, 300007};

// n values whose v/s spans [-1.3 qn - 1, 1.3 qp + 1]: inside and both clip regions.
std::vector<float> Values(int64_t n, float s, Range r, uint64_t seed) {
  const Philox rng(seed, 7);
  const float lo = -1.3f * r.qn - 1.f, hi = 1.3f * r.qp + 1.f;
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = (lo + (hi - lo) * rng.Uniform(i)) * s;
  return v;
}

std::vector<float> Uniform(int64_t n, uint64_t seed) {
  const Philox rng(seed, 9);
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = 2.f * rng.Uniform(i) - 1.f;
  return v;
}

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Two double sums of the same n exact terms in different orders differ by at most
// 2 * gamma_n * sum|terms| (Higham, "Accuracy and Stability of Numerical Algorithms", §4.2),
// gamma_n ~ n * 2^-53, and |term_i| <= |dy_i| * max(qn, qp, 1/2).
double SumTolerance(const std::vector<float>& dy, Range r) {
  double b = 0;
  for (float g : dy) b += std::fabs(double(g));
  const double n = double(dy.size());
  return 2.0 * n * std::ldexp(1.0, -53) * b * std::max({double(r.qn), double(r.qp), 0.5});
}

TEST(LsqKernelsTest, ForwardAndCodesEqualReferenceBitForBit) {
  uint64_t seed = 0;
  for (const Range r : kRanges) {
    for (const int64_t n : kSizes) {
      const float s = 0.0371f;
      const auto v = Values(n, s, r, ++seed);
      std::vector<float> fast(n), ref(n);
      LsqForward(n, v.data(), s, r.qn, r.qp, fast.data());
      LsqForwardReference(n, v.data(), s, r.qn, r.qp, ref.data());
      ASSERT_TRUE(SameBits(fast, ref)) << "qn " << r.qn << " qp " << r.qp << " n " << n
                                       << " seed " << seed;
      if (r.qn > 128 || r.qp > 255) continue;
      // Codes: the same integers, q = v̂ / s exactly (q·s was one rounding of an integer
      // times s, and s is positive).
      std::vector<int8_t> q8(n);
      std::vector<uint8_t> qu(n);
      if (r.qn == 0) {
        LsqCodes(n, v.data(), s, r.qn, r.qp, qu.data());
      } else {
        LsqCodes(n, v.data(), s, r.qn, r.qp, q8.data());
      }
      for (int64_t i = 0; i < n; ++i) {
        const float code = r.qn == 0 ? float(qu[i]) : float(q8[i]);
        ASSERT_EQ(code * s, ref[i]) << "qn " << r.qn << " n " << n << " i " << i;
      }
    }
  }
}

TEST(LsqKernelsTest, RoundsHalfToEvenAndClips) {
  // v/s exactly on a tie: s = 1 and v = k + 0.5. Ties go to the even neighbour.
  const std::vector<float> v = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 6.5f, 7.5f, -8.5f, 100.f};
  const std::vector<float> even = {0.f, 2.f, 2.f, -0.f, -2.f, -2.f, 6.f, 7.f, -8.f, 7.f};
  std::vector<float> y(v.size());
  LsqForward(int64_t(v.size()), v.data(), 1.f, 8, 7, y.data());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(y[i], even[i]) << "v = " << v[i];
  std::vector<int8_t> q(v.size());
  LsqCodes(int64_t(v.size()), v.data(), 1.f, 8, 7, q.data());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(q[i], even[i]) << "v = " << v[i];
}

TEST(LsqKernelsTest, CodesOfNonFiniteValues) {
  const std::vector<float> v = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 0.f, -0.f};
  std::vector<int8_t> q(v.size());
  LsqCodes(int64_t(v.size()), v.data(), 0.5f, 128, 127, q.data());
  EXPECT_EQ(q, (std::vector<int8_t>{0, 127, -128, 127, -128, 0, 0}));
  std::vector<uint8_t> u(v.size());
  LsqCodes(int64_t(v.size()), v.data(), 0.5f, 0, 255, u.data());
  EXPECT_EQ(u, (std::vector<uint8_t>{0, 255, 0, 255, 0, 0, 0}));
}

TEST(LsqKernelsTest, BackwardAgreesWithReference) {
  uint64_t seed = 100;
  for (const Range r : kRanges) {
    for (const int64_t n : kSizes) {
      const float s = 0.25f + 0.01f * float(seed % 7);
      const auto v = Values(n, s, r, ++seed), dy = Uniform(n, seed);
      for (const bool accumulate : {false, true}) {
        auto fast = Uniform(n, seed + 1000), ref = fast;  // prior contents for +=
        std::vector<double> partials(LsqBackwardPartials(n));
        const double sf = LsqBackward(n, v.data(), dy.data(), s, r.qn, r.qp, fast.data(),
                                      accumulate, partials.data());
        const double sr =
            LsqBackwardReference(n, v.data(), dy.data(), s, r.qn, r.qp, ref.data(), accumulate);
        ASSERT_TRUE(SameBits(fast, ref)) << "dv: qn " << r.qn << " n " << n << " seed " << seed;
        ASSERT_LE(std::fabs(sf - sr), SumTolerance(dy, r))
            << "ds: qn " << r.qn << " qp " << r.qp << " n " << n << " seed " << seed;
        // dv may be null: only the sum.
        ASSERT_EQ(sf, LsqBackward(n, v.data(), dy.data(), s, r.qn, r.qp, nullptr, false,
                                  partials.data()));
      }
    }
  }
}

TEST(LsqKernelsTest, BitIdenticalForOneTwoAndThreeThreads) {
  const int64_t n = 1000003;
  const Range r = {8, 7};
  const float s = 0.1f;
  const auto v = Values(n, s, r, 3), dy = Uniform(n, 4);
  std::vector<float> y[3], dv[3];
  double sum[3];
  for (int t = 1; t <= 3; ++t) {
    SetNumThreads(t);
    y[t - 1].resize(n);
    dv[t - 1].resize(n);
    std::vector<double> partials(LsqBackwardPartials(n));
    LsqForward(n, v.data(), s, r.qn, r.qp, y[t - 1].data());
    sum[t - 1] = LsqBackward(n, v.data(), dy.data(), s, r.qn, r.qp, dv[t - 1].data(), false,
                             partials.data());
  }
  for (int t = 1; t < 3; ++t) {
    EXPECT_TRUE(SameBits(y[0], y[t])) << t + 1 << " threads";
    EXPECT_TRUE(SameBits(dv[0], dv[t])) << t + 1 << " threads";
    EXPECT_EQ(std::memcmp(&sum[0], &sum[t], sizeof(double)), 0) << t + 1 << " threads";
  }
}

}  // namespace
}  // namespace kernels
}  // namespace quant
}  // namespace strata
