// Fast vertical-layering kernels against their naive references over awkward sizes, every
// (N, b) with and without compensation, both clip regions, non-finite inputs, accumulation,
// and bit-identity for 1, 2 and 3 threads.
#include "quant/kernels/vertical_kernels.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/parallel.h"
#include "engine/rng.h"
#include "gtest/gtest.h"

namespace strata {
namespace quant {
namespace kernels {
namespace {

const int64_t kSizes[] = {1, 2, 7, 8, 9, 17, 31, 33, 63, 65, 1009, 16384, 16385, 100003};

float Offset(int source_bits, int bits, bool compensation) {
  return compensation ? 0.5f * (1.f - std::ldexp(1.f, bits - source_bits)) : 0.f;
}

// n weights whose w/s spans [-1.3 2^(N-1) - 1, 1.3 2^(N-1) + 1]: inside and both clip regions.
std::vector<float> Weights(int64_t n, const VerticalParams& p, uint64_t seed) {
  const Philox rng(seed, 3);
  const float half = std::ldexp(1.f, p.source_bits - 1);
  const float lo = -1.3f * half - 1.f, hi = 1.3f * half + 1.f;
  std::vector<float> w(n);
  for (int64_t i = 0; i < n; ++i) w[i] = (lo + (hi - lo) * rng.Uniform(i)) * p.step;
  return w;
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

// Two double sums of the same n terms in different orders differ by at most
// 2 gamma_n sum|terms| (Higham, "Accuracy and Stability of Numerical Algorithms", §4.2),
// gamma_n ~ n 2^-53; |term_i| <= |dy_i| (|r_i| + 2^N) bounds each term.
double SumTolerance(const VerticalParams& p, const std::vector<float>& w,
                    const std::vector<float>& dy) {
  double b = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    b += std::fabs(double(dy[i])) *
         (std::fabs(double(w[i] / p.step)) + std::ldexp(1.0, p.source_bits));
  }
  return 2.0 * double(w.size()) * std::ldexp(1.0, -53) * b;
}

std::vector<VerticalParams> AllParams() {
  std::vector<VerticalParams> all;
  for (int n_bits : {2, 3, 4, 5, 8, 16}) {
    for (int b = 1; b <= n_bits; ++b) {
      for (bool comp : {false, true}) all.push_back({n_bits, b, 0.0371f, Offset(n_bits, b, comp)});
    }
  }
  return all;
}

TEST(VerticalKernelsTest, ForwardAndCodesEqualReferenceBitForBit) {
  uint64_t seed = 0;
  for (const VerticalParams& p : AllParams()) {
    for (const int64_t n : kSizes) {
      const auto w = Weights(n, p, ++seed);
      std::vector<float> fast(n), ref(n);
      VerticalForward(p, n, w.data(), fast.data());
      VerticalForwardReference(p, n, w.data(), ref.data());
      ASSERT_TRUE(SameBits(fast, ref)) << "N=" << p.source_bits << " b=" << p.bits
                                       << " z=" << p.offset << " n=" << n << " seed=" << seed;
      std::vector<int32_t> q(n), q_ref(n);
      VerticalCodes(p, n, w.data(), q.data());
      VerticalCodesReference(p, n, w.data(), q_ref.data());
      ASSERT_EQ(q, q_ref) << "N=" << p.source_bits << " b=" << p.bits << " n=" << n;
      std::vector<float> deq(n);
      VerticalDequantize(p, n, q.data(), deq.data());
      ASSERT_TRUE(SameBits(deq, ref)) << "dequantized codes differ from the forward";
    }
  }
}

TEST(VerticalKernelsTest, BackwardEqualsReference) {
  uint64_t seed = 100;
  for (const VerticalParams& p : AllParams()) {
    for (const int64_t n : kSizes) {
      const auto w = Weights(n, p, ++seed);
      const auto dy = Uniform(n, seed);
      for (bool accumulate : {false, true}) {
        std::vector<float> dw = Uniform(n, seed + 7), dw_ref = dw;
        std::vector<double> partials(VerticalBackwardPartials(n));
        const double sum =
            VerticalBackward(p, n, w.data(), dy.data(), dw.data(), accumulate, partials.data());
        const double ref =
            VerticalBackwardReference(p, n, w.data(), dy.data(), dw_ref.data(), accumulate);
        ASSERT_TRUE(SameBits(dw, dw_ref)) << "N=" << p.source_bits << " b=" << p.bits << " n=" << n;
        ASSERT_LE(std::fabs(sum - ref), SumTolerance(p, w, dy))
            << "N=" << p.source_bits << " b=" << p.bits << " n=" << n << " seed=" << seed;
        // dw null: the same sum, bit for bit.
        ASSERT_EQ(VerticalBackward(p, n, w.data(), dy.data(), nullptr, false, partials.data()),
                  sum);
      }
    }
  }
}

TEST(VerticalKernelsTest, NonFiniteRatiosGiveNaNAndSaturatedCodes) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> w = {nan, inf, -inf, 0.1f};
  const VerticalParams p{4, 2, 0.05f, 0.375f};
  std::vector<float> y(4), y_ref(4);
  VerticalForward(p, 4, w.data(), y.data());
  VerticalForwardReference(p, 4, w.data(), y_ref.data());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(y[i]) && std::isnan(y_ref[i])) << i;
  EXPECT_EQ(y[3], y_ref[3]);
  std::vector<int32_t> q(4), q_ref(4);
  VerticalCodes(p, 4, w.data(), q.data());
  VerticalCodesReference(p, 4, w.data(), q_ref.data());
  EXPECT_EQ(q, q_ref);
  EXPECT_EQ(q[0], -2);  // NaN saturates low
  EXPECT_EQ(q[1], 1);
  EXPECT_EQ(q[2], -2);
}

TEST(VerticalKernelsTest, BitIdenticalForOneTwoThreeThreads) {
  const VerticalParams p{4, 3, 0.021f, Offset(4, 3, true)};
  const int64_t n = 3 * (1 << 18) + 12345;  // several ranges and chunks per thread
  const auto w = Weights(n, p, 5);
  const auto dy = Uniform(n, 6);
  std::vector<float> y0, dw0;
  double sum0 = 0;
  const int saved = NumThreads();
  for (int threads : {1, 2, 3}) {
    SetNumThreads(threads);
    std::vector<float> y(n), dw(n);
    std::vector<double> partials(VerticalBackwardPartials(n));
    VerticalForward(p, n, w.data(), y.data());
    const double sum =
        VerticalBackward(p, n, w.data(), dy.data(), dw.data(), false, partials.data());
    if (threads == 1) {
      y0 = y, dw0 = dw, sum0 = sum;
    } else {
      EXPECT_TRUE(SameBits(y, y0)) << threads << " threads";
      EXPECT_TRUE(SameBits(dw, dw0)) << threads << " threads";
      EXPECT_EQ(std::memcmp(&sum, &sum0, sizeof(double)), 0) << threads << " threads";
    }
  }
  SetNumThreads(saved);
}

TEST(VerticalKernelsTest, HeavisideMatchesItsDefinition) {
  const std::vector<float> r = {-2.f, -1.f, -0.5f, 0.f, 1e-30f, 0.5f, 1.f, 1.5f};
  const std::vector<float> de = {1, 2, 3, 4, 5, 6, 7, 8};
  const int64_t n = static_cast<int64_t>(r.size());
  std::vector<float> e(n), dr(n), dr_clipped(n, 10.f);
  HeavisideForward(n, r.data(), e.data());
  HeavisideBackward(n, r.data(), de.data(), false, dr.data(), false);
  HeavisideBackward(n, r.data(), de.data(), true, dr_clipped.data(), true);
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_EQ(e[i], r[i] > 0 ? 1.f : 0.f) << r[i];
    EXPECT_EQ(dr[i], de[i]);
    EXPECT_EQ(dr_clipped[i], 10.f + (std::fabs(r[i]) <= 1.f ? de[i] : 0.f)) << r[i];
  }
}

}  // namespace
}  // namespace kernels
}  // namespace quant
}  // namespace strata
