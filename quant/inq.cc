#include "quant/inq.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <utility>

namespace strata {
namespace quant {
namespace {

constexpr int kMinBits = 2, kMaxBits = 9;
// Levels must be exact floats: 2^-149 is the smallest subnormal, 2^127 the largest power.
constexpr int kMinExponent = -149, kMaxExponent = 127;
constexpr int64_t kGrain = int64_t{1} << 18;  // elementwise loops, as the engine's

// The shortest decimal that reads back as v ("0.4", not "0.40000000000000002"; a float
// 0.3f as "0.3", not "0.30000001192092896").
template <typename T>
std::string Num(T v) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, static_cast<double>(v));
    if (static_cast<T>(std::strtod(buf, nullptr)) == v) break;
  }
  return buf;
}

// floor(log2(4a/3)) for finite a > 0, exactly: a = m 2^e with m in [0.5, 1), and
// 4m/3 >= 1 iff m >= 3/4.
int FloorLog2FourThirds(double a) {
  int e = 0;
  const double m = std::frexp(a, &e);
  return m >= 0.75 ? e : e - 1;
}

float Pow2(int k) { return static_cast<float>(std::ldexp(1.0, k)); }

}  // namespace

Status ValidateInqBits(int bits) {
  if (bits < kMinBits || bits > kMaxBits) {
    return InvalidArgumentError("INQ bits: value " + std::to_string(bits) + " must be in [" +
                                std::to_string(kMinBits) + ", " + std::to_string(kMaxBits) + "]");
  }
  return Status::Ok();
}

int InqNumLevels(int bits) {
  CHECK(ValidateInqBits(bits).ok()) << "InqNumLevels: bits " << bits;
  return (1 << (bits - 1)) + 1;
}

int InqCodeBits(int bits) {
  const int levels = InqNumLevels(bits);
  int code = 0;
  while ((1 << code) < levels) ++code;
  return code;
}

Status ValidateInqSchedule(const std::vector<double>& portions) {
  if (portions.empty()) return InvalidArgumentError("INQ schedule: no portions");
  for (size_t i = 0; i < portions.size(); ++i) {
    const double p = portions[i];
    const std::string at = "INQ schedule: portion[" + std::to_string(i) + "] = " + Num(p);
    if (!(p > 0.0 && p <= 1.0)) return InvalidArgumentError(at + " must be in (0, 1]");
    if (i > 0 && !(p > portions[i - 1])) {
      return InvalidArgumentError(at + " must be greater than portion[" + std::to_string(i - 1) +
                                  "] = " + Num(portions[i - 1]));
    }
  }
  if (portions.back() != 1.0) {
    return InvalidArgumentError(
        "INQ schedule: last portion[" + std::to_string(portions.size() - 1) +
        "] = " + Num(portions.back()) + " must be exactly 1 (all weights frozen)");
  }
  return Status::Ok();
}

std::vector<double> DefaultInqSchedule() { return {0.5, 0.75, 0.875, 1.0}; }

int64_t InqFrozenCount(int64_t n, double sigma) {
  CHECK_GE(n, 0) << "InqFrozenCount";
  CHECK(sigma >= 0.0 && sigma <= 1.0) << "InqFrozenCount: sigma " << sigma;
  return std::llround(sigma * static_cast<double>(n));  // half away from zero
}

StatusOr<InqCodebook> InqCodebookFromN1(int n1, int bits) {
  STRATA_RETURN_IF_ERROR(ValidateInqBits(bits));
  InqCodebook cb;
  cb.bits = bits;
  cb.n1 = n1;
  cb.n2 = n1 + 1 - (1 << (bits - 1)) / 2;  // INQ Sec. 2.1, below Eq. (3)
  if (cb.n2 < kMinExponent || cb.n1 > kMaxExponent) {
    std::ostringstream s;
    s << "INQ codebook: bits " << bits << ", n1 " << cb.n1 << ", n2 " << cb.n2
      << ": levels 2^n2..2^n1 must lie in [2^" << kMinExponent << ", 2^" << kMaxExponent
      << "] to be exact floats";
    return InvalidArgumentError(s.str());
  }
  return cb;
}

StatusOr<InqCodebook> InqCodebookForWeights(const Tensor& w, int bits) {
  STRATA_RETURN_IF_ERROR(ValidateInqBits(bits));
  const float* x = w.data();
  float s = 0.f;  // INQ Eq. (3): s = max |W_l|
  for (int64_t i = 0; i < w.numel(); ++i) {
    if (!std::isfinite(x[i])) {
      return InvalidArgumentError("INQ codebook: w[" + std::to_string(i) + "] = " + Num(x[i]) +
                                  " is not finite");
    }
    s = std::max(s, std::fabs(x[i]));
  }
  if (s == 0.f) {
    return InvalidArgumentError("INQ codebook: max |w| is 0 over " + std::to_string(w.numel()) +
                                " weights (an all-zero layer has no power-of-two scale)");
  }
  StatusOr<InqCodebook> cb = InqCodebookFromN1(FloorLog2FourThirds(s), bits);  // INQ Eq. (2)
  if (!cb.ok()) return cb.status().Annotate("max |w| = " + Num(s) + ": ");
  return cb;
}

std::vector<float> InqLevels(const InqCodebook& cb) {
  std::vector<float> levels;
  for (int k = cb.n1; k >= cb.n2; --k) levels.push_back(-Pow2(k));
  levels.push_back(0.f);
  for (int k = cb.n2; k <= cb.n1; ++k) levels.push_back(Pow2(k));
  return levels;
}

float InqQuantizeValue(float w, const InqCodebook& cb) {
  if (std::isnan(w)) return w;
  const double a = std::fabs(w);
  // INQ Eq. (4) with α = 0, β = 2^n2: below (0 + 2^n2)/2 -> 0.
  if (a < std::ldexp(1.0, cb.n2 - 1)) return 0.f;
  // Otherwise β = 2^k with 3·2^(k-2) <= a < 3·2^(k-1), i.e. k = floor(log2(4a/3)); the
  // lower end of level n2 is 2^(n2-1) (raise k) and above 3·2^(n1-1) we clamp to n1.
  const int k = a >= 3.0 * std::ldexp(1.0, cb.n1 - 1)
                    ? cb.n1
                    : std::max(cb.n2, std::min(cb.n1, FloorLog2FourThirds(a)));
  return std::copysign(Pow2(k), w);
}

float InqNearestLevelReference(float w, const InqCodebook& cb) {
  float best = 0.f;
  double best_d = std::fabs(static_cast<double>(w));
  for (float level : InqLevels(cb)) {
    const double d = std::fabs(static_cast<double>(w) - level);
    if (d < best_d || (d == best_d && std::fabs(level) > std::fabs(best))) best = level, best_d = d;
  }
  return best;
}

Tensor InqQuantize(const Tensor& w, const InqCodebook& cb) {
  Tensor q = Tensor::Empty(w.shape());
  const float* x = w.data();
  float* y = q.data();
  ParallelFor(w.numel(), kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = InqQuantizeValue(x[i], cb);
  });
  return q;
}

// ---- InqLayer ----

InqLayer::InqLayer(std::string name, const Shape& shape)
    : name_(std::move(name)),
      mask_(Tensor::Zeros(shape)),
      values_(Tensor::Zeros(shape)),
      codebook_(Tensor::Zeros({2})) {}

void InqLayer::SetCodebook(const InqCodebook& cb) {
  const StatusOr<InqCodebook> valid = InqCodebookFromN1(cb.n1, cb.bits);
  CHECK(valid.ok() && valid->n2 == cb.n2)
      << "InqLayer::SetCodebook(" << name_ << "): invalid codebook bits " << cb.bits << " n1 "
      << cb.n1 << " n2 " << cb.n2 << " ---> HINT: build it with InqCodebookForWeights";
  CHECK_EQ(frozen_count(), 0) << "InqLayer::SetCodebook(" << name_
                              << "): weights already frozen with another codebook";
  codebook_.data()[0] = static_cast<float>(cb.bits);
  codebook_.data()[1] = static_cast<float>(cb.n1);
}

bool InqLayer::has_codebook() const { return codebook_.data()[0] != 0.f; }

InqCodebook InqLayer::codebook() const {
  CHECK(has_codebook()) << "InqLayer(" << name_
                        << "): no codebook ---> HINT: SetCodebook at stage 0";
  StatusOr<InqCodebook> cb = InqCodebookFromN1(static_cast<int>(codebook_.data()[1]),
                                               static_cast<int>(codebook_.data()[0]));
  CHECK(cb.ok()) << "InqLayer(" << name_ << "): " << cb.status().ToString()
                 << " ---> HINT: CheckState() after loading a checkpoint";
  return *cb;
}

Status InqLayer::Freeze(const Tensor& w, double sigma) {
  CHECK(w.shape() == mask_.shape())
      << "InqLayer::Freeze(" << name_ << "): w " << ShapeStr(w.shape()) << " vs mask "
      << ShapeStr(mask_.shape());
  CHECK(sigma > 0.0 && sigma <= 1.0) << "InqLayer::Freeze(" << name_ << "): sigma " << sigma;
  const InqCodebook cb = codebook();
  const float* x = w.data();
  float* mask = mask_.data();
  float* values = values_.data();
  const int64_t n = w.numel();
  CHECK_LE(n, int64_t{UINT32_MAX}) << "InqLayer::Freeze(" << name_ << "): 32-bit indices";
  std::vector<uint32_t> free;  // half the memory of int64 indices on a 100M-weight layer
  for (int64_t i = 0; i < n; ++i) {
    if (mask[i] != 0.f) continue;
    if (!std::isfinite(x[i])) {
      return InvalidArgumentError("INQ freeze of " + name_ + ": w[" + std::to_string(i) +
                                  "] = " + Num(x[i]) + " is not finite");
    }
    free.push_back(static_cast<uint32_t>(i));
  }
  const int64_t target = InqFrozenCount(n, sigma);
  const int64_t frozen = n - static_cast<int64_t>(free.size());
  if (frozen > target) {
    return FailedPreconditionError("INQ freeze of " + name_ + ": " + std::to_string(frozen) +
                                   " weights already frozen, more than round(" + Num(sigma) +
                                   " * " + std::to_string(n) + ") = " + std::to_string(target) +
                                   " (a mask from another schedule?)");
  }
  // INQ Eq. (5): the largest |w| join the quantized group; a total order (ties to the lower
  // index) makes the chosen set unique.
  const auto before = [x](uint32_t i, uint32_t j) {
    const float a = std::fabs(x[i]), b = std::fabs(x[j]);
    return a > b || (a == b && i < j);
  };
  const auto end = free.begin() + (target - frozen);
  std::nth_element(free.begin(), end, free.end(), before);
  for (auto it = free.begin(); it != end; ++it) {
    mask[*it] = 1.f;
    values[*it] = InqQuantizeValue(x[*it], cb);  // INQ Eq. (4)
  }
  ApplyFrozen(w);
  return Status::Ok();
}

void InqLayer::MaskGradient(const Tensor& grad) const {
  if (!grad.defined()) return;
  CHECK_EQ(grad.numel(), mask_.numel()) << "InqLayer::MaskGradient(" << name_ << ")";
  float* g = grad.data();
  const float* mask = mask_.data();
  ParallelFor(grad.numel(), kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) g[i] = mask[i] != 0.f ? 0.f : g[i];
  });
}

void InqLayer::ApplyFrozen(const Tensor& w) const {
  CHECK_EQ(w.numel(), mask_.numel()) << "InqLayer::ApplyFrozen(" << name_ << ")";
  float* x = w.data();
  const float* mask = mask_.data();
  const float* values = values_.data();
  ParallelFor(w.numel(), kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) x[i] = mask[i] != 0.f ? values[i] : x[i];
  });
}

int64_t InqLayer::frozen_count() const {
  const float* mask = mask_.data();
  return std::count_if(mask, mask + mask_.numel(), [](float m) { return m != 0.f; });
}

void InqLayer::Register(ParameterSet* state) const {
  state->Add(name_ + ".inq_mask", mask_);
  state->Add(name_ + ".inq_value", values_);
  state->Add(name_ + ".inq_codebook", codebook_);
}

Status InqLayer::CheckState() const {
  const float bits = codebook_.data()[0], n1 = codebook_.data()[1];
  const std::string cb_name = name_ + ".inq_codebook";
  // Integers in a range that casts to int safely (the codebook check narrows it).
  if (!(bits >= 0.f && bits <= 64.f && std::fabs(n1) <= 1000.f) || bits != std::trunc(bits) ||
      n1 != std::trunc(n1)) {
    return DataLossError(cb_name + ": bits " + Num(bits) + ", n1 " + Num(n1) +
                         " must be integers (bits 0 = no codebook)");
  }
  std::vector<float> levels;
  if (bits != 0.f) {
    StatusOr<InqCodebook> cb = InqCodebookFromN1(static_cast<int>(n1), static_cast<int>(bits));
    if (!cb.ok()) return DataLossError(cb_name + ": " + cb.status().message());
    levels = InqLevels(*cb);
  }
  const float* mask = mask_.data();
  const float* values = values_.data();
  for (int64_t i = 0; i < mask_.numel(); ++i) {
    const std::string at = "[" + std::to_string(i) + "] = ";
    if (mask[i] != 0.f && mask[i] != 1.f)
      return DataLossError(name_ + ".inq_mask" + at + Num(mask[i]) + " must be 0 or 1");
    const bool ok = mask[i] == 0.f
                        ? values[i] == 0.f
                        : std::isfinite(values[i]) &&
                              std::binary_search(levels.begin(), levels.end(), values[i]);
    if (!ok) {
      return DataLossError(
          name_ + ".inq_value" + at + Num(values[i]) +
          (mask[i] == 0.f ? " must be 0 (a free weight)" : " is not a level of " + cb_name));
    }
  }
  return Status::Ok();
}

// ---- storage ----

void InqStorage::AddQuantized(int64_t weights, int bits) {
  CHECK_GE(weights, 0) << "InqStorage::AddQuantized";
  this->bits += weights * InqCodeBits(bits);
  float32_bits += weights * 32;
}

void InqStorage::AddFloat(int64_t params) {
  CHECK_GE(params, 0) << "InqStorage::AddFloat";
  bits += params * 32;
  float32_bits += params * 32;
}

double InqStorage::Reduction() const {
  CHECK_GT(bits, 0) << "InqStorage::Reduction: nothing counted";
  return static_cast<double>(float32_bits) / static_cast<double>(bits);
}

}  // namespace quant
}  // namespace strata
