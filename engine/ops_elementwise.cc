// Elementwise ops: broadcasting binary arithmetic, unary math, clamp, straight-through
// round/floor, dropout.
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <vector>

#include "engine/kernels/reduce.h"
#include "engine/ops.h"
#include "engine/ops_internal.h"
#include "engine/rng.h"

namespace strata {

using internal::Broadcast;
using internal::ForEach;
using internal::ForEachBroadcast;
using internal::MakeBroadcast;
using internal::StoreEach;

namespace {

// Sums a full-size (bc.out) gradient down to `shape` (a broadcast input's shape).
Tensor SumToShape(const Tensor& full, const Shape& shape) {
  const int rank = full.rank();
  const int offset = rank - static_cast<int>(shape.size());
  uint32_t mask = 0;
  for (int d = 0; d < rank; ++d) {
    if (d < offset || (shape[d - offset] == 1 && full.dim(d) != 1)) mask |= 1u << d;
  }
  Tensor out = Tensor::Empty(shape);
  kernels::ReduceSum(full.shape().data(), rank, mask, full.data(), out.data());
  return out;
}

// Gives input `which` (0 = a, 1 = b) the gradient g(i, ia, ib) over the output, summed
// back to `in_shape` when that input was broadcast.
template <class G>
void BinaryInputGrad(const Broadcast& bc, int which, const Shape& in_shape, GradSlots& dx, G&& g) {
  if (!dx.Needs(which)) return;
  if (bc.same) {  // no broadcasting: offsets equal the output index
    bool acc;
    float* d = dx.Out(which, &acc);
    StoreEach(d, acc, NumElements(bc.out), [=](int64_t i) { return g(i, i, i); });
    return;
  }
  if (in_shape == bc.out) {
    bool acc;
    float* d = dx.Out(which, &acc);
    if (acc) {
      ForEachBroadcast(bc, [=](int64_t i, int64_t ia, int64_t ib) { d[i] += g(i, ia, ib); });
    } else {
      ForEachBroadcast(bc, [=](int64_t i, int64_t ia, int64_t ib) { d[i] = g(i, ia, ib); });
    }
    return;
  }
  Tensor full = Tensor::Empty(bc.out);
  float* fp = full.data();
  ForEachBroadcast(bc, [=](int64_t i, int64_t ia, int64_t ib) { fp[i] = g(i, ia, ib); });
  dx.Pass(which, SumToShape(full, in_shape));
}

template <class F>
Tensor BinaryForward(const Broadcast& bc, const Tensor& a, const Tensor& b, F&& f) {
  Tensor y = Tensor::Empty(bc.out);
  const float *ap = a.data(), *bp = b.data();
  float* yp = y.data();
  if (bc.same) {
    ForEach(y.numel(), [=](int64_t i) { yp[i] = f(ap[i], bp[i]); });
  } else {
    ForEachBroadcast(bc, [=](int64_t i, int64_t ia, int64_t ib) { yp[i] = f(ap[ia], bp[ib]); });
  }
  return y;
}

// Add (sign = +1) or Sub (sign = -1): the backward needs no saved tensor and hands dy
// over without a copy when shapes match (residual connections).
Tensor AddOrSub(const Tensor& a, const Tensor& b, float sign, OpKind kind, const char* name) {
  const Broadcast bc = MakeBroadcast(a.shape(), b.shape(), name);
  Tensor y = BinaryForward(bc, a, b, [sign](float u, float v) { return u + sign * v; });
  if (!NeedsRecord({&a, &b})) return y;
  const Shape sa = a.shape(), sb = b.shape();
  Record(kind, {&a, &b}, y, [bc, sa, sb, sign](const Tensor& dy, GradSlots& dx) {
    const float* g = dy.data();
    if (dx.Needs(0)) {
      if (sa == bc.out) {
        dx.Pass(0, dy);
      } else {
        BinaryInputGrad(bc, 0, sa, dx, [g](int64_t i, int64_t, int64_t) { return g[i]; });
      }
    }
    if (sign > 0 && sb == bc.out && dx.Needs(1)) {
      dx.Pass(1, dy);
    } else {
      BinaryInputGrad(bc, 1, sb, dx,
                      [g, sign](int64_t i, int64_t, int64_t) { return sign * g[i]; });
    }
  });
  return y;
}

}  // namespace

Tensor Add(const Tensor& a, const Tensor& b) { return AddOrSub(a, b, 1.f, OpKind::kAdd, "Add"); }
Tensor Sub(const Tensor& a, const Tensor& b) { return AddOrSub(a, b, -1.f, OpKind::kSub, "Sub"); }

Tensor Mul(const Tensor& a, const Tensor& b) {
  const Broadcast bc = MakeBroadcast(a.shape(), b.shape(), "Mul");
  Tensor y = BinaryForward(bc, a, b, [](float u, float v) { return u * v; });
  if (!NeedsRecord({&a, &b})) return y;
  Record(OpKind::kMul, {&a, &b}, y, [bc, a, b](const Tensor& dy, GradSlots& dx) {
    const float *g = dy.data(), *ap = a.data(), *bp = b.data();
    BinaryInputGrad(bc, 0, a.shape(), dx,
                    [=](int64_t i, int64_t, int64_t ib) { return g[i] * bp[ib]; });
    BinaryInputGrad(bc, 1, b.shape(), dx,
                    [=](int64_t i, int64_t ia, int64_t) { return g[i] * ap[ia]; });
  });
  return y;
}

Tensor Div(const Tensor& a, const Tensor& b) {
  const Broadcast bc = MakeBroadcast(a.shape(), b.shape(), "Div");
  Tensor y = BinaryForward(bc, a, b, [](float u, float v) { return u / v; });
  if (!NeedsRecord({&a, &b})) return y;
  Record(OpKind::kDiv, {&a, &b}, y, [bc, a, b](const Tensor& dy, GradSlots& dx) {
    const float *g = dy.data(), *ap = a.data(), *bp = b.data();
    BinaryInputGrad(bc, 0, a.shape(), dx,
                    [=](int64_t i, int64_t, int64_t ib) { return g[i] / bp[ib]; });
    BinaryInputGrad(bc, 1, b.shape(), dx, [=](int64_t i, int64_t ia, int64_t ib) {
      return -g[i] * ap[ia] / (bp[ib] * bp[ib]);
    });
  });
  return y;
}

namespace {

// y = f(x); backward dx = dy * df(x, y). Saves x and y.
template <class F, class DF>
Tensor Unary(OpKind kind, const Tensor& x, F&& f, DF df) {
  Tensor y = Tensor::Empty(x.shape());
  const float* xp = x.data();
  float* yp = y.data();
  ForEach(x.numel(), [=](int64_t i) { yp[i] = f(xp[i]); });
  if (!NeedsRecord({&x})) return y;
  const Tensor ys = SaveOutput(y);
  Record(kind, {&x}, y, [x, ys, df](const Tensor& dy, GradSlots& dx) {
    bool acc;
    float* d = dx.Out(0, &acc);
    const float *g = dy.data(), *xv = x.data(), *yv = ys.data();
    StoreEach(d, acc, dy.numel(), [=](int64_t i) { return g[i] * df(xv[i], yv[i]); });
  });
  return y;
}

// y = f(x); backward passes dy straight through (no copy).
template <class F>
Tensor PassThrough(OpKind kind, const Tensor& x, F&& f) {
  Tensor y = Tensor::Empty(x.shape());
  const float* xp = x.data();
  float* yp = y.data();
  ForEach(x.numel(), [=](int64_t i) { yp[i] = f(xp[i]); });
  if (!NeedsRecord({&x})) return y;
  Record(kind, {&x}, y, [](const Tensor& dy, GradSlots& dx) { dx.Pass(0, dy); });
  return y;
}

// y = s * x; backward dx = s * dy. Saves nothing.
Tensor Scaled(OpKind kind, const Tensor& x, float s) {
  Tensor y = Tensor::Empty(x.shape());
  const float* xp = x.data();
  float* yp = y.data();
  ForEach(x.numel(), [=](int64_t i) { yp[i] = s * xp[i]; });
  if (!NeedsRecord({&x})) return y;
  Record(kind, {&x}, y, [s](const Tensor& dy, GradSlots& dx) {
    bool acc;
    float* d = dx.Out(0, &acc);
    const float* g = dy.data();
    StoreEach(d, acc, dy.numel(), [=](int64_t i) { return s * g[i]; });
  });
  return y;
}

}  // namespace

Tensor Scale(const Tensor& x, float s) { return Scaled(OpKind::kScale, x, s); }
Tensor Neg(const Tensor& x) { return Scaled(OpKind::kNeg, x, -1.f); }
Tensor AddScalar(const Tensor& x, float c) {
  return PassThrough(OpKind::kAddScalar, x, [c](float v) { return v + c; });
}
Tensor RoundSte(const Tensor& x) {
  return PassThrough(OpKind::kRoundSte, x, [](float v) { return std::round(v); });
}
Tensor FloorSte(const Tensor& x) {
  return PassThrough(OpKind::kFloorSte, x, [](float v) { return std::floor(v); });
}

Tensor GradScale(const Tensor& x, float g) {
  Tensor y = AliasWithShape(x, x.shape());  // identity: share the data
  if (!NeedsRecord({&x})) return y;
  Record(OpKind::kGradScale, {&x}, y, [g](const Tensor& dy, GradSlots& dx) {
    bool acc;
    float* d = dx.Out(0, &acc);
    const float* gp = dy.data();
    StoreEach(d, acc, dy.numel(), [=](int64_t i) { return g * gp[i]; });
  });
  return y;
}

Tensor Sqrt(const Tensor& x) {
  return Unary(
      OpKind::kSqrt, x, [](float v) { return std::sqrt(v); },
      [](float, float y) { return 0.5f / y; });
}
Tensor Abs(const Tensor& x) {
  return Unary(
      OpKind::kAbs, x, [](float v) { return std::fabs(v); },
      [](float v, float) { return v > 0.f ? 1.f : (v < 0.f ? -1.f : 0.f); });
}
Tensor Square(const Tensor& x) {
  return Unary(
      OpKind::kSquare, x, [](float v) { return v * v; }, [](float v, float) { return 2.f * v; });
}
Tensor Exp(const Tensor& x) {
  return Unary(
      OpKind::kExp, x, [](float v) { return std::exp(v); }, [](float, float y) { return y; });
}
Tensor Log(const Tensor& x) {
  return Unary(
      OpKind::kLog, x, [](float v) { return std::log(v); }, [](float v, float) { return 1.f / v; });
}
Tensor Clamp(const Tensor& x, float lo, float hi) {
  CHECK_LE(lo, hi) << "Clamp: empty range";
  return Unary(
      OpKind::kClamp, x, [lo, hi](float v) { return std::min(std::max(v, lo), hi); },
      [lo, hi](float v, float) { return ((v >= lo) & (v <= hi)) ? 1.f : 0.f; });
}

Tensor Dropout(const Tensor& x, float p, bool training, uint64_t seed, uint64_t stream) {
  CHECK(p >= 0.f && p < 1.f) << "Dropout: p = " << p << " must be in [0, 1)";
  if (!training || p == 0.f) return x;
  const float keep_scale = 1.f / (1.f - p);
  const Philox rng(seed, stream);
  // The factor m_i / (1 - p) of every element, drawn four at a time (one Philox block gives
  // Uniform(4b .. 4b+3)) and kept for the backward pass instead of drawn again.
  const int64_t n = x.numel();
  auto factor = std::make_shared<std::vector<float>>(static_cast<size_t>(n));
  float* f = factor->data();
  const float* xp = x.data();
  Tensor y = Tensor::Empty(x.shape());
  float* yp = y.data();
  ForEach((n + 3) / 4, [=](int64_t b) {
    const std::array<float, 4> u = rng.Uniform4(static_cast<uint64_t>(b));
    for (int64_t j = 0, i = 4 * b; j < 4 && i < n; ++j, ++i) {
      f[i] = u[j] >= p ? keep_scale : 0.f;
      yp[i] = xp[i] * f[i];
    }
  });
  if (!NeedsRecord({&x})) return y;
  Record(OpKind::kDropout, {&x}, y, [factor](const Tensor& dy, GradSlots& dx) {
    bool acc;
    float* d = dx.Out(0, &acc);
    const float* g = dy.data();
    const float* fp = factor->data();
    StoreEach(d, acc, dy.numel(), [=](int64_t i) { return g[i] * fp[i]; });
  });
  return y;
}

}  // namespace strata
