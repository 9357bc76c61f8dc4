#include "engine/gradcheck.h"

#include <cmath>
#include <sstream>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/rng.h"

namespace strata {
namespace {

double ProbedSum(const Tensor& y, const Tensor& probe) {
  double s = 0;
  for (int64_t i = 0; i < y.numel(); ++i) s += double(y.data()[i]) * probe.data()[i];
  return s;
}

// L with x[j] (pointed to by v) set to `value`.
double Probe(const OpFn& f, const std::vector<Tensor>& x, float* v, float value,
             const Tensor& probe) {
  *v = value;
  return ProbedSum(f(x), probe);
}

// The eps/2 central difference of L at *v (restored afterwards), or false where f has a
// kink within eps of *v (see the header).
bool NumericGradient(const OpFn& f, const std::vector<Tensor>& x, float* v, double l0,
                     const Tensor& probe, const GradCheckOptions& opt, double* numeric) {
  const float saved = *v;
  const double lp = Probe(f, x, v, saved + opt.eps, probe);
  const double lm = Probe(f, x, v, saved - opt.eps, probe);
  const double lp2 = Probe(f, x, v, saved + opt.eps / 2, probe);
  const double lm2 = Probe(f, x, v, saved - opt.eps / 2, probe);
  *v = saved;
  const double fwd = (lp - l0) / opt.eps, bwd = (l0 - lm) / opt.eps;
  const double c1 = (lp - lm) / (2.0 * opt.eps), c2 = (lp2 - lm2) / opt.eps;
  const bool kink_at_x = std::fabs(fwd - bwd) > 0.1 * (std::fabs(fwd) + std::fabs(bwd)) + opt.atol;
  const bool kink_near = std::fabs(c1 - c2) > opt.atol + 0.5 * opt.rtol * std::fabs(c2);
  *numeric = c2;
  return !kink_at_x && !kink_near;
}

}  // namespace

Tensor RandomTensor(const Shape& shape, uint64_t seed, uint64_t stream, float lo, float hi,
                    bool requires_grad) {
  Tensor t = Tensor::Empty(shape);
  Philox rng(seed, stream);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = lo + (hi - lo) * rng.Uniform(i);
  t.set_requires_grad(requires_grad);
  return t;
}

::testing::AssertionResult GradCheck(const OpFn& f, const std::vector<Tensor>& inputs,
                                     const GradCheckOptions& opt) {
  std::vector<Tensor> x;
  for (const Tensor& t : inputs) {
    Tensor c = t.defined() ? t.Clone() : Tensor();
    if (t.defined()) c.set_requires_grad(t.requires_grad());
    x.push_back(c);
  }
  const Tensor y = f(x);
  const Tensor probe = RandomTensor(y.shape(), opt.seed, 99, -1.f, 1.f, false);
  Backward({y}, {probe});
  std::ostringstream failures;
  int64_t checked = 0, skipped = 0, failed = 0;
  NoGradGuard no_grad;
  const double l0 = ProbedSum(f(x), probe);
  for (size_t k = 0; k < x.size(); ++k) {
    if (!x[k].defined() || !x[k].requires_grad()) continue;
    const Tensor& g = x[k].grad();
    for (int64_t j = 0; j < x[k].numel(); ++j) {
      double numeric;
      if (!NumericGradient(f, x, x[k].data() + j, l0, probe, opt, &numeric)) {
        ++skipped;
        continue;
      }
      ++checked;
      const double analytic = g.defined() ? g.data()[j] : 0.0;
      const double tol = opt.atol + opt.rtol * std::max(std::fabs(numeric), std::fabs(analytic));
      if (std::fabs(numeric - analytic) > tol && ++failed <= 8) {
        failures << "\n  input " << k << " " << ShapeStr(x[k].shape()) << " element " << j
                 << ": analytic " << analytic << " numeric " << numeric;
      }
    }
  }
  if (failed > 0) {
    return ::testing::AssertionFailure()
           << failed << " of " << checked << " gradient entries disagree:" << failures.str();
  }
  if (checked == 0 || skipped > opt.max_skipped_fraction * (checked + skipped)) {
    return ::testing::AssertionFailure()
           << "too many kinks: skipped " << skipped << ", checked " << checked;
  }
  return ::testing::AssertionSuccess() << checked << " checked, " << skipped << " skipped";
}

}  // namespace strata
