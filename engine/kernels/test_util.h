// Test helpers for the kernel tests (testonly): random data and ruy-style agreement.
#ifndef STRATA_ENGINE_KERNELS_TEST_UTIL_H_
#define STRATA_ENGINE_KERNELS_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace kernels {

// n uniforms in [-1, 1) from Philox(seed, stream).
std::vector<float> RandomVector(int64_t n, uint64_t seed, uint64_t stream = 0);

// Fast vs reference: every |fast - ref| <= 4 * eps * sqrt(depth + 1) * scale, with depth
// the length of the sums behind one output and scale = max(max|ref|, term * sqrt(depth)),
// `term` bounding the summands (1 for products of uniforms in [-1, 1]). An fp32 sum of
// `depth` random-sign terms has a rounding error growing like eps * sqrt(depth) times the
// magnitude of its partial sums, ~term * sqrt(depth) even where the total cancels (Higham,
// "Accuracy and Stability of Numerical Algorithms", 2nd ed., §4.2; ruy's Agree()).
::testing::AssertionResult Agree(const std::vector<float>& fast, const std::vector<float>& ref,
                                 int64_t depth, double term = 1.0);

// Same bytes (for thread-count invariance).
::testing::AssertionResult BitIdentical(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_TEST_UTIL_H_
