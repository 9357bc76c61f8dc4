// Naive references for vertical_kernels.h: Eqs. 1, 3, 5, 6 read literally, one element at a
// time, in double. Test oracles only.
#include <cmath>
#include <limits>

#include "engine/check.h"
#include "quant/kernels/vertical_kernels.h"

namespace strata {
namespace quant {
namespace kernels {
namespace {

void CheckParams(const VerticalParams& p) {
  CHECK(p.bits >= 1 && p.bits <= p.source_bits && p.source_bits <= kMaxSourceBits)
      << "vertical reference: bits " << p.bits << ", source_bits " << p.source_bits;
}

// q_b of one weight: q_N by Eq. 1, then N - b floor-halvings (Eq. 5, applied recursively).
double RefCode(const VerticalParams& p, float w) {
  const double r = double(w / p.step);  // the float quotient, as in the fast path
  const double qn = std::ldexp(1.0, p.source_bits - 1);
  double q = std::isnan(r) ? -qn : std::nearbyint(r);
  q = std::fmin(std::fmax(q, -qn), qn - 1);
  for (int i = p.bits; i < p.source_bits; ++i) q = std::floor(q / 2);
  return q;
}

}  // namespace

void VerticalCodesReference(const VerticalParams& p, int64_t n, const float* w, int32_t* q) {
  CheckParams(p);
  for (int64_t i = 0; i < n; ++i) q[i] = static_cast<int32_t>(RefCode(p, w[i]));
}

void VerticalForwardReference(const VerticalParams& p, int64_t n, const float* w, float* y) {
  CheckParams(p);
  const double s_b = std::ldexp(double(p.step), p.source_bits - p.bits);  // Eq. 3
  for (int64_t i = 0; i < n; ++i) {
    const bool finite = std::isfinite(w[i] / p.step);
    y[i] = finite ? float(s_b * (RefCode(p, w[i]) + p.offset))  // Eq. 6
                  : std::numeric_limits<float>::quiet_NaN();
  }
}

double VerticalBackwardReference(const VerticalParams& p, int64_t n, const float* w,
                                 const float* dy, float* dw, bool accumulate) {
  CheckParams(p);
  const double up = std::ldexp(1.0, p.source_bits - p.bits);
  const double qn = std::ldexp(1.0, p.source_bits - 1);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double r = double(w[i] / p.step);
    const bool inside = r >= -qn && r <= qn - 1;
    const double value = up * (RefCode(p, w[i]) + p.offset);
    sum += double(dy[i]) * (inside ? value - r : value);
    if (dw) {
      const float g = inside ? dy[i] : 0.f;
      dw[i] = accumulate ? dw[i] + g : g;
    }
  }
  return sum;
}

}  // namespace kernels
}  // namespace quant
}  // namespace strata
