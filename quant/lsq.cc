// The uniform quantizer's ranges and LSQ (see lsq.h); the arithmetic is in
// quant/kernels/lsq_kernels.h.
#include "quant/lsq.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "quant/kernels/lsq_kernels.h"

namespace strata {
namespace quant {
namespace {

void CheckBits(int bits, const char* fn) {
  CHECK(bits >= kMinBits && bits <= kMaxBits)
      << fn << "(" << bits << "): bits must be in [1, 16] ---> HINT: validate user input with "
      << "ValidateBits first";
}

void CheckRange(QuantRange r, const char* fn) {
  CHECK(r.qn >= 0 && r.qp >= 0 && int64_t(r.qn) + r.qp >= 1 && r.qn <= (1 << 15) &&
        r.qp <= (1 << 16) - 1)
      << fn << ": bad range {qn " << r.qn << ", qp " << r.qp
      << "} ---> HINT: build it with SignedRange / UnsignedRange";
}

// Qp in LSQ's g and initial step; 1 for the b = 1 signed range {-1, 0} (lsq.h).
double QpForScale(QuantRange r) { return r.qp > 0 ? double(r.qp) : 1.0; }

}  // namespace

Status ValidateBits(int bits, const std::string& field) {
  if (bits >= kMinBits && bits <= kMaxBits) return Status::Ok();
  return InvalidArgumentError("field '" + field + "': value " + std::to_string(bits) +
                              " must be in [" + std::to_string(kMinBits) + ", " +
                              std::to_string(kMaxBits) + "]");
}

// Eq. 1's ranges (Esser et al. Sec. 2.1).
QuantRange SignedRange(int bits) {
  CheckBits(bits, "SignedRange");
  return {int32_t(1) << (bits - 1), (int32_t(1) << (bits - 1)) - 1};
}

QuantRange UnsignedRange(int bits) {
  CheckBits(bits, "UnsignedRange");
  return {0, (int32_t(1) << bits) - 1};
}

// g = 1/sqrt(N Qp), Esser et al. Sec. 2.2.
float LsqGradScale(int64_t n, QuantRange r) {
  CHECK_GT(n, 0) << "LsqGradScale: element count";
  CheckRange(r, "LsqGradScale");
  return float(1.0 / std::sqrt(double(n) * QpForScale(r)));
}

float LsqWeightGradScale(const Tensor& w, QuantRange r) { return LsqGradScale(w.numel(), r); }

float LsqActivationGradScale(const Tensor& x, QuantRange r) {
  CHECK_GE(x.rank(), 1) << "LsqActivationGradScale: a batch (N, ...) is needed";
  CHECK_GT(x.dim(0), 0) << "LsqActivationGradScale: empty batch " << ShapeStr(x.shape());
  return LsqGradScale(x.numel() / x.dim(0), r);
}

// s = 2 mean|v| / sqrt(Qp), Esser et al. Sec. 2.1.
StatusOr<float> LsqInitStep(const Tensor& v, QuantRange r) {
  CheckRange(r, "LsqInitStep");
  CHECK_GT(v.numel(), 0) << "LsqInitStep: empty tensor " << ShapeStr(v.shape());
  float mean_abs;
  {
    NoGradGuard no_grad;
    mean_abs = Mean(Abs(v)).item();  // double accumulation in a fixed order (ops.h)
  }
  const double s = 2.0 * double(mean_abs) / std::sqrt(QpForScale(r));
  if (!(s > 0.0 && s <= 3.4e38)) {  // NaN fails both
    std::ostringstream m;
    m << "LsqInitStep: initial step 2 mean|v| / sqrt(Qp) = " << s << " (mean|v| = " << mean_abs
      << ") for a tensor of shape " << ShapeStr(v.shape())
      << " must be positive and finite ---> HINT: all zeros or non-finite values?";
    return FailedPreconditionError(m.str());
  }
  return float(s);
}

OpKind LsqQuantizeKind() {
  static const OpKind kind = RegisterOpKind("lsq_quantize");
  return kind;
}

Tensor LsqQuantize(const Tensor& v, const Tensor& step, QuantRange r, float grad_scale) {
  CHECK_EQ(step.numel(), 1) << "LsqQuantize: step must hold one value, got "
                            << ShapeStr(step.shape()) << " ---> HINT: Tensor::Full({1}, s)";
  CheckRange(r, "LsqQuantize");
  CHECK(std::isfinite(grad_scale)) << "LsqQuantize: grad_scale " << grad_scale;
  const float s = step.item();
  Tensor y = Tensor::Empty(v.shape());
  kernels::LsqForward(v.numel(), v.data(), s, r.qn, r.qp, y.data());
  if (!NeedsRecord({&v, &step})) return y;
  Record(LsqQuantizeKind(), {&v, &step}, y,
         [v, s, r, grad_scale](const Tensor& dy, GradSlots& dx) {
           bool accumulate = false;
           float* dv = dx.Needs(0) ? dx.Out(0, &accumulate) : nullptr;
           if (!dv && !dx.Needs(1)) return;
           std::vector<double> partials(kernels::LsqBackwardPartials(v.numel()));
           const double sum = kernels::LsqBackward(v.numel(), v.data(), dy.data(), s, r.qn, r.qp,
                                                   dv, accumulate, partials.data());
           if (dx.Needs(1)) dx.Acc(1)[0] += float(double(grad_scale) * sum);
         });
  return y;
}

}  // namespace quant
}  // namespace strata
