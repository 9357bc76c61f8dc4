// Vertical-layering kernels (see vertical_kernels.h). Scalar loops over contiguous ranges;
// the compiler vectorizes the division, rounding and compares.
#include "quant/kernels/vertical_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/check.h"
#include "engine/parallel.h"

namespace strata {
namespace quant {
namespace kernels {
namespace {

// GCC defines >> of a negative int as an arithmetic shift (floor division by 2^k, Eq. 5);
// C++20 requires it. Pinned here so another compiler cannot silently change the codes.
static_assert((-3 >> 1) == -2 && (-1 >> 3) == -1, "arithmetic right shift required");

// Elementwise loops go parallel in ranges of at least this many elements (the engine's
// elementwise grain: a join costs more than a memory-bound pass over fewer floats).
constexpr int64_t kGrain = 1 << 18;

// The constants of one call, derived once from VerticalParams.
struct Consts {
  float step;    // s_w
  float lo, hi;  // -2^(N-1), 2^(N-1) - 1: the source clip range
  int shift;     // k = N - b
  float scale;   // s_b = 2^k s_w (Eq. 3), exact
  float offset;  // z_b
  float up;      // 2^k
};

Consts Make(const VerticalParams& p) {
  CHECK(p.bits >= 1 && p.bits <= p.source_bits && p.source_bits <= kMaxSourceBits)
      << "vertical quantizer: bits " << p.bits << ", source_bits " << p.source_bits
      << " ---> HINT: need 1 <= b <= N <= " << kMaxSourceBits;
  Consts c;
  c.step = p.step;
  c.lo = -std::ldexp(1.f, p.source_bits - 1);
  c.hi = std::ldexp(1.f, p.source_bits - 1) - 1.f;
  c.shift = p.source_bits - p.bits;
  c.scale = std::ldexp(p.step, c.shift);
  c.offset = p.offset;
  c.up = std::ldexp(1.f, c.shift);
  return c;
}

// q_b of r: clip(round(r)) (NaN -> lo), then the arithmetic right shift by k.
inline int32_t Code(float r, const Consts& c) {
  float q = std::nearbyint(r);
  q = q > c.lo ? q : c.lo;
  q = q < c.hi ? q : c.hi;
  return static_cast<int32_t>(q) >> c.shift;
}

inline float Dequant(int32_t q, const Consts& c) { return c.scale * (float(q) + c.offset); }

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Backward over one chunk [begin, end): writes dw (may be null), returns the chunk's sum.
double BackwardChunk(const Consts& c, const float* w, const float* dy, float* dw, bool accumulate,
                     int64_t begin, int64_t end) {
  double sum = 0;
  for (int64_t i = begin; i < end; ++i) {
    const float r = w[i] / c.step;
    const bool inside = r >= c.lo && r <= c.hi;
    const double term = double(c.up * (float(Code(r, c)) + c.offset)) - (inside ? double(r) : 0.0);
    sum += double(dy[i]) * term;
    if (dw) {
      const float g = inside ? dy[i] : 0.f;
      dw[i] = accumulate ? dw[i] + g : g;
    }
  }
  return sum;
}

}  // namespace

void VerticalForward(const VerticalParams& p, int64_t n, const float* w, float* y) {
  const Consts c = Make(p);
  ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float r = w[i] / c.step;
      y[i] = std::isfinite(r) ? Dequant(Code(r, c), c) : kNaN;
    }
  });
}

void VerticalCodes(const VerticalParams& p, int64_t n, const float* w, int32_t* q) {
  const Consts c = Make(p);
  ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) q[i] = Code(w[i] / c.step, c);
  });
}

void VerticalDequantize(const VerticalParams& p, int64_t n, const int32_t* q, float* y) {
  const Consts c = Make(p);
  ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = Dequant(q[i], c);
  });
}

double VerticalBackward(const VerticalParams& p, int64_t n, const float* w, const float* dy,
                        float* dw, bool accumulate, double* partials) {
  const Consts c = Make(p);
  const int64_t chunks = VerticalBackwardPartials(n);
  ParallelFor(chunks, kGrain / kVerticalChunk, [&](int64_t c0, int64_t c1) {
    for (int64_t j = c0; j < c1; ++j) {
      partials[j] = BackwardChunk(c, w, dy, dw, accumulate, j * kVerticalChunk,
                                  std::min(n, (j + 1) * kVerticalChunk));
    }
  });
  double sum = 0;
  for (int64_t j = 0; j < chunks; ++j) sum += partials[j];
  return sum;
}

void HeavisideForward(int64_t n, const float* r, float* e) {
  ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) e[i] = r[i] > 0.f ? 1.f : 0.f;
  });
}

void HeavisideBackward(int64_t n, const float* r, const float* de, bool clipped, float* dr,
                       bool accumulate) {
  ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const float g = (!clipped || std::fabs(r[i]) <= 1.f) ? de[i] : 0.f;
      dr[i] = accumulate ? dr[i] + g : g;
    }
  });
}

}  // namespace kernels
}  // namespace quant
}  // namespace strata
