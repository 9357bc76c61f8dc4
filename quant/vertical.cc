// The vertical-layering ops (see vertical.h): shape checks, allocation and the tape; the
// arithmetic lives in quant/kernels/vertical_kernels.
#include "quant/vertical.h"

#include <algorithm>
#include <cmath>

#include "quant/kernels/vertical_kernels.h"

namespace strata {
namespace quant {
namespace {

kernels::VerticalParams Params(float s_w, int source_bits, int bits, bool compensation) {
  CHECK(bits >= 1 && bits <= source_bits && source_bits <= kMaxVerticalBits)
      << "vertical quantizer: bits " << bits << ", source_bits " << source_bits
      << " ---> HINT: need 1 <= b <= N <= " << kMaxVerticalBits;
  return {source_bits, bits, s_w, CompensationOffset(source_bits, bits, compensation)};
}

}  // namespace

float CompensationOffset(int source_bits, int bits, bool compensation) {
  CHECK(bits >= 1 && bits <= source_bits)
      << "CompensationOffset: b " << bits << ", N " << source_bits;
  return compensation ? 0.5f * (1.f - std::ldexp(1.f, bits - source_bits)) : 0.f;  // Eq. 6
}

float VerticalGradScale(int64_t numel, int source_bits) {
  CHECK(numel >= 1 && source_bits >= 2)
      << "VerticalGradScale: numel " << numel << ", N " << source_bits;
  const double qp = std::ldexp(1.0, source_bits - 1) - 1;
  return static_cast<float>(1.0 / std::sqrt(double(numel) * qp));
}

OpKind VerticalQuantizeKind() {
  static const OpKind kind = RegisterOpKind("vertical_quantize");
  return kind;
}

OpKind HeavisideSteKind() {
  static const OpKind kind = RegisterOpKind("heaviside_ste");
  return kind;
}

Tensor VerticalQuantize(const Tensor& w, const Tensor& s_w, int source_bits, int bits,
                        bool compensation, float grad_scale) {
  CHECK_EQ(s_w.numel(), 1) << "VerticalQuantize: step " << ShapeStr(s_w.shape())
                           << " ---> HINT: one learnable step per layer";
  const kernels::VerticalParams p = Params(s_w.item(), source_bits, bits, compensation);
  Tensor y = Tensor::Empty(w.shape());
  kernels::VerticalForward(p, w.numel(), w.data(), y.data());
  if (!NeedsRecord({&w, &s_w})) return y;
  Record(VerticalQuantizeKind(), {&w, &s_w}, y,
         [p, w, grad_scale](const Tensor& dy, GradSlots& dx) {
           bool accumulate = false;
           float* dw = dx.Needs(0) ? dx.Out(0, &accumulate) : nullptr;
           std::vector<double> partials(kernels::VerticalBackwardPartials(w.numel()));
           const double sum = kernels::VerticalBackward(p, w.numel(), w.data(), dy.data(), dw,
                                                        accumulate, partials.data());
           if (dx.Needs(1)) dx.Acc(1)[0] += static_cast<float>(grad_scale * sum);
         });
  return y;
}

std::vector<int32_t> VerticalCodes(const Tensor& w, float s_w, int source_bits, int bits) {
  std::vector<int32_t> q(w.numel());
  kernels::VerticalCodes(Params(s_w, source_bits, bits, false), w.numel(), w.data(), q.data());
  return q;
}

Tensor VerticalDequantize(const std::vector<int32_t>& codes, const Shape& shape, float s_w,
                          int source_bits, int bits, bool compensation) {
  CHECK_EQ(static_cast<int64_t>(codes.size()), NumElements(shape))
      << "VerticalDequantize: codes for shape " << ShapeStr(shape);
  Tensor y = Tensor::Empty(shape);
  kernels::VerticalDequantize(Params(s_w, source_bits, bits, compensation), y.numel(), codes.data(),
                              y.data());
  return y;
}

float InitSourceStep(const Tensor& w, int source_bits) {
  CHECK(w.numel() >= 1 && source_bits >= 1) << "InitSourceStep: " << ShapeStr(w.shape());
  double sum = 0;  // fixed (index) order
  const float* p = w.data();
  for (int64_t i = 0; i < w.numel(); ++i) sum += std::fabs(double(p[i]));
  const double mean = sum / double(w.numel());
  return static_cast<float>(2.0 * mean / std::sqrt(std::ldexp(1.0, source_bits) - 1));
}

float InitActivationStep(const Tensor& a, int bits) {
  CHECK(a.numel() >= 1 && bits >= 1) << "InitActivationStep: " << ShapeStr(a.shape());
  float max_abs = 0.f;
  const float* p = a.data();
  for (int64_t i = 0; i < a.numel(); ++i) {
    if (std::isnan(p[i])) return p[i];
    max_abs = std::max(max_abs, std::fabs(p[i]));
  }
  return static_cast<float>(double(max_abs) / (std::ldexp(1.0, bits) - 1));
}

Tensor HeavisideSte(const Tensor& r, HeavisideGrad grad) {
  Tensor e = Tensor::Empty(r.shape());
  kernels::HeavisideForward(r.numel(), r.data(), e.data());
  if (!NeedsRecord({&r})) return e;
  if (grad == HeavisideGrad::kIdentity) {
    Record(HeavisideSteKind(), {&r}, e, [](const Tensor& de, GradSlots& dx) { dx.Pass(0, de); });
  } else {
    Record(HeavisideSteKind(), {&r}, e, [r](const Tensor& de, GradSlots& dx) {
      bool accumulate = false;
      float* dr = dx.Out(0, &accumulate);
      kernels::HeavisideBackward(r.numel(), r.data(), de.data(), /*clipped=*/true, dr, accumulate);
    });
  }
  return e;
}

}  // namespace quant
}  // namespace strata
