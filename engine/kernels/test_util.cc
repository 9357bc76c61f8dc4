#include "engine/kernels/test_util.h"

#include <cfloat>
#include <cmath>
#include <cstring>

#include "engine/rng.h"

namespace strata {
namespace kernels {

std::vector<float> RandomVector(int64_t n, uint64_t seed, uint64_t stream) {
  Philox rng(seed, stream);
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = 2.f * rng.Uniform(i) - 1.f;
  return v;
}

::testing::AssertionResult Agree(const std::vector<float>& fast, const std::vector<float>& ref,
                                 int64_t depth, double term) {
  if (fast.size() != ref.size()) {
    return ::testing::AssertionFailure() << "size " << fast.size() << " vs " << ref.size();
  }
  double scale = term * std::sqrt(double(depth));
  for (float r : ref) scale = std::max(scale, double(std::fabs(r)));
  const double tol = 4.0 * FLT_EPSILON * std::sqrt(double(depth) + 1.0) * scale;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double err = std::fabs(double(fast[i]) - double(ref[i]));
    if (!(err <= tol)) {
      return ::testing::AssertionFailure()
             << "element " << i << ": fast " << fast[i] << " ref " << ref[i] << " err " << err
             << " > tol " << tol << " (depth " << depth << ", max|ref| " << scale << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult BitIdentical(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure() << "size " << a.size() << " vs " << b.size();
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) {
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << b[i];
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace kernels
}  // namespace strata
