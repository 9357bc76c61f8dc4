// Finite-difference gradient check for differentiable ops (testonly).
//
// For inputs x_1..x_k and an op y = f(x_1..x_k), the scalar L = sum_i p_i y_i with a fixed
// random probe p (so that e.g. softmax, whose plain sum is constant, still has a
// gradient) is differentiated two ways: by Backward, and by central differences
// (L(x + eps e_j) - L(x - eps e_j)) / (2 eps) for every element j of every input that
// requires a gradient, L summed in double from the float32 outputs.
//
// Tolerance: |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|). The ops run
// in float32, so a forward value carries a rounding error ~6e-8 relative; divided by
// eps = 1e-2 this is ~1e-5 relative per term, and the truncation error of central
// differences is O(eps^2 f''') ~ 1e-4 for the O(1) inputs used: rtol 1e-2, atol 1e-3 leave
// two orders of magnitude of margin while still catching any wrong term (a missing
// factor or sign is an O(1) relative error).
//
// Kinks (relu at 0, a max-pool tie, a clamp bound) are skipped, ggml-style. A kink at x
// shows as one-sided differences (L(x+eps) - L(x)) / eps and (L(x) - L(x-eps)) / eps that
// disagree by more than 10 %; a kink within eps of x shows as central differences with
// steps eps and eps/2 that disagree (for smooth f they agree to O(eps^2)). The numeric
// value compared is the eps/2 central difference. The check fails if more than
// max_skipped_fraction of the elements are skipped (it must not pass vacuously).
#ifndef STRATA_ENGINE_GRADCHECK_H_
#define STRATA_ENGINE_GRADCHECK_H_

#include <functional>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "gtest/gtest.h"

namespace strata {

struct GradCheckOptions {
  float eps = 1e-2f;
  double rtol = 1e-2;
  double atol = 1e-3;
  double max_skipped_fraction = 0.2;
  uint64_t seed = 1;  // of the probe
};

using OpFn = std::function<Tensor(const std::vector<Tensor>&)>;

// `inputs` are copied; copies with requires_grad set are checked (others are constants).
::testing::AssertionResult GradCheck(const OpFn& f, const std::vector<Tensor>& inputs,
                                     const GradCheckOptions& options = {});

// A tensor of the given shape with entries uniform in [lo, hi) from Philox(seed, stream).
Tensor RandomTensor(const Shape& shape, uint64_t seed, uint64_t stream, float lo = -1.f,
                    float hi = 1.f, bool requires_grad = true);

}  // namespace strata

#endif  // STRATA_ENGINE_GRADCHECK_H_
