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

// Fast vs reference: every |fast - ref| <= 4 * eps * sqrt(depth + 1) * max|ref|, with
// depth the length of the sums behind one output. An fp32 sum of `depth` terms of either
// sign has a rounding error growing like eps * sqrt(depth) relative to its magnitude
// (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §4.2; ruy's Agree()).
::testing::AssertionResult Agree(const std::vector<float>& fast, const std::vector<float>& ref,
                                 int64_t depth);

// Same bytes (for thread-count invariance).
::testing::AssertionResult BitIdentical(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_TEST_UTIL_H_
