// LSQ kernels (see lsq_kernels.h). AVX2: 8 floats per step, the tail through masked loads;
// the step-gradient terms are summed in 4-lane double accumulators per chunk.
#include "quant/kernels/lsq_kernels.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "engine/parallel.h"

namespace strata {
namespace quant {
namespace kernels {
namespace {

// Elementwise loops go parallel in ranges of at least this many elements (the engine's
// elementwise grain: a join costs more than a memory-bound pass over fewer floats).
constexpr int64_t kGrain = 1 << 18;

__m256i TailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// The quantizer's constants broadcast once.
struct Lanes {
  __m256 s, lo, hi;
  Lanes(float step, int32_t qn, int32_t qp)
      : s(_mm256_set1_ps(step)), lo(_mm256_set1_ps(-float(qn))), hi(_mm256_set1_ps(float(qp))) {}
};

constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;  // ties to even

// clip(round(r), lo, hi) with NaN kept (max/min return their second operand on NaN).
__m256 Code(__m256 r, const Lanes& c) {
  return _mm256_min_ps(c.hi, _mm256_max_ps(c.lo, _mm256_round_ps(r, kNearest)));
}

// Eq. 1 over [begin, end).
void ForwardRange(const float* v, const Lanes& c, float* y, int64_t begin, int64_t end) {
  int64_t i = begin;
  for (; i + 8 <= end; i += 8) {
    const __m256 r = _mm256_div_ps(_mm256_loadu_ps(v + i), c.s);
    _mm256_storeu_ps(y + i, _mm256_mul_ps(Code(r, c), c.s));
  }
  if (i < end) {
    const __m256i m = TailMask(end - i);
    const __m256 r = _mm256_div_ps(_mm256_maskload_ps(v + i, m), c.s);
    _mm256_maskstore_ps(y + i, m, _mm256_mul_ps(Code(r, c), c.s));
  }
}

// Eight codes (NaN -> 0) narrowed to bytes by saturating packs (they are in range already).
template <class T>
int64_t EightCodes(const float* v, int64_t i, __m256i m, const Lanes& c) {
  __m256 code = Code(_mm256_div_ps(_mm256_maskload_ps(v + i, m), c.s), c);
  code = _mm256_and_ps(code, _mm256_cmp_ps(code, code, _CMP_ORD_Q));  // NaN -> 0
  const __m256i q = _mm256_cvtps_epi32(code);
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  const __m128i b = std::is_signed<T>::value ? _mm_packs_epi16(w, w) : _mm_packus_epi16(w, w);
  return _mm_cvtsi128_si64(b);
}

template <class T>
void CodesImpl(int64_t n, const float* v, float s, int32_t qn, int32_t qp, T* q) {
  const Lanes c(s, qn, qp);
  ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    const __m256i all = _mm256_set1_epi32(-1);
    int64_t i = begin;
    for (; i + 8 <= end; i += 8) {
      const int64_t bytes = EightCodes<T>(v, i, all, c);
      std::memcpy(q + i, &bytes, 8);
    }
    if (i < end) {
      const int64_t bytes = EightCodes<T>(v, i, TailMask(end - i), c);
      std::memcpy(q + i, &bytes, size_t(end - i));
    }
  });
}

// One 8-element step of the backward: dv̂/dv mask, dv̂/ds term, dy * term into the two
// double accumulators (lanes 0-3 and 4-7; the products of two floats are exact in double).
struct BackwardStep {
  __m256 in, dy;  // mask of -qn <= r <= qp, and dy
};
BackwardStep Step(__m256 v, __m256 dy, const Lanes& c, __m256d* acc_lo, __m256d* acc_hi) {
  const __m256 r = _mm256_div_ps(v, c.s);
  const __m256 in = _mm256_and_ps(_mm256_cmp_ps(r, c.lo, _CMP_GE_OQ),
                                  _mm256_cmp_ps(r, c.hi, _CMP_LE_OQ));
  const __m256 clipped = _mm256_blendv_ps(c.hi, c.lo, _mm256_cmp_ps(r, c.lo, _CMP_LT_OQ));
  // round(r) - r is exact in float (Sterbenz: round(r) is within a factor 2 of r or is 0).
  const __m256 term =
      _mm256_blendv_ps(clipped, _mm256_sub_ps(_mm256_round_ps(r, kNearest), r), in);
  *acc_lo = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(dy)),
                            _mm256_cvtps_pd(_mm256_castps256_ps128(term)), *acc_lo);
  *acc_hi = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(dy, 1)),
                            _mm256_cvtps_pd(_mm256_extractf128_ps(term, 1)), *acc_hi);
  return {in, dy};
}

double Sum4(__m256d a) {
  alignas(32) double d[4];
  _mm256_store_pd(d, a);
  return (d[0] + d[1]) + (d[2] + d[3]);
}

__m256 DvValue(const BackwardStep& st, const float* dv, int64_t i, bool accumulate, __m256i m,
               bool full) {
  const __m256 g = _mm256_and_ps(st.dy, st.in);
  if (!accumulate) return g;
  return _mm256_add_ps(full ? _mm256_loadu_ps(dv + i) : _mm256_maskload_ps(dv + i, m), g);
}

// Backward over [i, i + 8) into accumulators (lo, hi), masked by m unless full.
void Block(const float* v, const float* dy, const Lanes& c, float* dv, bool accumulate, int64_t i,
           __m256i m, bool full, __m256d* lo, __m256d* hi) {
  const __m256 vv = full ? _mm256_loadu_ps(v + i) : _mm256_maskload_ps(v + i, m);
  const __m256 gv = full ? _mm256_loadu_ps(dy + i) : _mm256_maskload_ps(dy + i, m);
  const BackwardStep st = Step(vv, gv, c, lo, hi);  // masked-off lanes: v = dy = 0, add 0 * 0
  if (!dv) return;
  const __m256 out = DvValue(st, dv, i, accumulate, m, full);
  if (full) {
    _mm256_storeu_ps(dv + i, out);
  } else {
    _mm256_maskstore_ps(dv + i, m, out);
  }
}

// Backward over one chunk [begin, end): writes dv, returns the chunk's sum. Two sets of
// accumulators (even and odd 8-element blocks of each 16) keep two fma chains in flight; a
// leftover full block goes to set 0, the masked tail to set 1.
double BackwardChunk(const float* v, const float* dy, const Lanes& c, float* dv, bool accumulate,
                     int64_t begin, int64_t end) {
  __m256d lo0 = _mm256_setzero_pd(), hi0 = lo0, lo1 = lo0, hi1 = lo0;
  const __m256i all = _mm256_set1_epi32(-1);
  int64_t i = begin;
  for (; i + 16 <= end; i += 16) {
    Block(v, dy, c, dv, accumulate, i, all, true, &lo0, &hi0);
    Block(v, dy, c, dv, accumulate, i + 8, all, true, &lo1, &hi1);
  }
  if (i + 8 <= end) {
    Block(v, dy, c, dv, accumulate, i, all, true, &lo0, &hi0);
    i += 8;
  }
  if (i < end) Block(v, dy, c, dv, accumulate, i, TailMask(end - i), false, &lo1, &hi1);
  return (Sum4(lo0) + Sum4(hi0)) + (Sum4(lo1) + Sum4(hi1));
}

// Scalar Eq. 1 for the references.
float RefCode(float v, float s, int32_t qn, int32_t qp) {
  const float q = std::nearbyint(v / s);
  return std::min(std::max(q, -float(qn)), float(qp));
}

}  // namespace

void LsqForward(int64_t n, const float* v, float s, int32_t qn, int32_t qp, float* y) {
  const Lanes c(s, qn, qp);
  ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) { ForwardRange(v, c, y, begin, end); });
}

void LsqCodes(int64_t n, const float* v, float s, int32_t qn, int32_t qp, int8_t* q) {
  CodesImpl(n, v, s, qn, qp, q);
}
void LsqCodes(int64_t n, const float* v, float s, int32_t qn, int32_t qp, uint8_t* q) {
  CodesImpl(n, v, s, qn, qp, q);
}

double LsqBackward(int64_t n, const float* v, const float* dy, float s, int32_t qn, int32_t qp,
                   float* dv, bool accumulate, double* partials) {
  const Lanes c(s, qn, qp);
  const int64_t chunks = LsqBackwardPartials(n);
  ParallelFor(chunks, kGrain / kLsqChunk, [&](int64_t c0, int64_t c1) {
    for (int64_t k = c0; k < c1; ++k) {
      partials[k] = BackwardChunk(v, dy, c, dv, accumulate, k * kLsqChunk,
                                  std::min(n, (k + 1) * kLsqChunk));
    }
  });
  double sum = 0;
  for (int64_t k = 0; k < chunks; ++k) sum += partials[k];
  return sum;
}

void LsqForwardReference(int64_t n, const float* v, float s, int32_t qn, int32_t qp, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = RefCode(v[i], s, qn, qp) * s;
}

double LsqBackwardReference(int64_t n, const float* v, const float* dy, float s, int32_t qn,
                            int32_t qp, float* dv, bool accumulate) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double r = double(v[i] / s);  // the float quotient, as in the forward
    const bool inside = r >= -qn && r <= qp;
    const double term = inside ? std::nearbyint(r) - r : (r < -qn ? -qn : qp);
    sum += double(dy[i]) * term;
    if (dv) {
      const float g = inside ? dy[i] : 0.f;
      dv[i] = accumulate ? dv[i] + g : g;
    }
  }
  return sum;
}

}  // namespace kernels
}  // namespace quant
}  // namespace strata
