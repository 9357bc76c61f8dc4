// Batch normalization kernels (see batchnorm.h). Work split: statistics and the backward
// run one channel per task (DynamicFor over C), so every per-channel reduction runs on one
// thread in a fixed order: within an (n, c) plane in 8 float lanes, summed horizontally into
// double, planes in n order. Forward normalization runs over (n, c) planes.
#include "engine/kernels/batchnorm.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "engine/check.h"
#include "engine/kernels/dynamic_for.h"
#include "engine/parallel.h"

namespace strata {
namespace kernels {
namespace {

void CheckShape(const BatchNormShape& s, const char* op, bool batch_stats) {
  CHECK(s.N > 0 && s.C > 0 && s.HW > 0)
      << op << ": sizes must be positive: N=" << s.N << " C=" << s.C << " HW=" << s.HW;
  if (batch_stats) {
    CHECK_GT(int64_t(s.N) * s.HW, 1)
        << op << ": batch statistics need N*HW > 1 (N=" << s.N << " HW=" << s.HW << ")";
  }
}

double Sum8(__m256 v) {
  alignas(32) float f[8];
  _mm256_store_ps(f, v);
  return ((double(f[0]) + f[1]) + (double(f[2]) + f[3])) +
         ((double(f[4]) + f[5]) + (double(f[6]) + f[7]));
}

__m256i TailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// sum (x - shift) and sum (x - shift)^2 over one plane of n floats.
void ShiftedSums(const float* x, int64_t n, float shift, double* s1, double* s2) {
  const __m256 k = _mm256_set1_ps(shift);
  __m256 a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), k);
    a1 = _mm256_add_ps(a1, d);
    a2 = _mm256_fmadd_ps(d, d, a2);
  }
  if (i < n) {
    const __m256i m = TailMask(n - i);
    const __m256 d =
        _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + i, m), k), _mm256_castsi256_ps(m));
    a1 = _mm256_add_ps(a1, d);
    a2 = _mm256_fmadd_ps(d, d, a2);
  }
  *s1 += Sum8(a1);
  *s2 += Sum8(a2);
}

// Mean and biased variance of channel c. Sums are shifted by the channel's first value to
// avoid cancellation in E[x^2] - E[x]^2 (Chan, Golub & LeVeque 1983, "shifted data").
void ChannelStats(const BatchNormShape& s, const float* x, int c, double* mean, double* var) {
  const int64_t plane = s.HW, M = int64_t(s.N) * s.HW;
  const float shift = x[int64_t(c) * plane];
  double s1 = 0, s2 = 0;
  for (int n = 0; n < s.N; ++n)
    ShiftedSums(x + (int64_t(n) * s.C + c) * plane, plane, shift, &s1, &s2);
  const double m1 = s1 / M;
  *mean = shift + m1;
  *var = std::max(0.0, s2 / M - m1 * m1);
}

__m256 Activate(__m256 v, Activation act) {
  if (act == Activation::kNone) return v;
  v = _mm256_max_ps(v, _mm256_setzero_ps());
  return act == Activation::kReLU6 ? _mm256_min_ps(v, _mm256_set1_ps(6.f)) : v;
}

// Per-channel statistics for Normalize: invstd given (training), or computed from a
// variance (evaluation).
struct ChannelNorm {
  const float* gamma;  // null: 1
  const float* beta;   // null: 0
  const float* mean;
  const float* invstd;  // or null: 1 / sqrt(var + eps)
  const float* var;
  float eps;
};

// y = act((x - mean_c) * scale_c + beta_c) over all (n, c) planes, scale_c = gamma_c *
// invstd_c. Subtracting first keeps small-variance channels accurate (x*scale + shift
// would cancel).
void Normalize(const BatchNormShape& s, const float* x, const ChannelNorm& cn, Activation act,
               float* y) {
  // Items of >= 4096 floats, handed out dynamically (dynamic_for.h).
  const int64_t planes = int64_t(s.N) * s.C, per_item = std::max<int64_t>(1, 4096 / s.HW);
  internal::DynamicFor(NumThreads(), (planes + per_item - 1) / per_item, [&](int, int64_t item) {
    const int64_t end = std::min(planes, (item + 1) * per_item);
    for (int64_t nc = item * per_item; nc < end; ++nc) {
      const int c = int(nc % s.C);
      const float invstd =
          cn.invstd ? cn.invstd[c] : float(1.0 / std::sqrt(double(cn.var[c]) + cn.eps));
      const float scale = (cn.gamma ? cn.gamma[c] : 1.f) * invstd;
      const __m256 a = _mm256_set1_ps(scale), m = _mm256_set1_ps(cn.mean[c]);
      const __m256 b = _mm256_set1_ps(cn.beta ? cn.beta[c] : 0.f);
      const float* xp = x + nc * s.HW;
      float* yp = y + nc * s.HW;
      int64_t i = 0;
      for (; i + 8 <= s.HW; i += 8) {
        _mm256_storeu_ps(
            yp + i,
            Activate(_mm256_fmadd_ps(_mm256_sub_ps(_mm256_loadu_ps(xp + i), m), a, b), act));
      }
      if (i < s.HW) {
        const __m256i t = TailMask(s.HW - i);
        _mm256_maskstore_ps(
            yp + i, t,
            Activate(_mm256_fmadd_ps(_mm256_sub_ps(_mm256_maskload_ps(xp + i, t), m), a, b), act));
      }
    }
  });
}

// dy where the fused activation passed its input (ReLU: y > 0; ReLU6: 0 < y < 6).
__m256 MaskedGrad(__m256 dy, const float* y, int64_t i, Activation act, __m256i tail, bool full) {
  if (act == Activation::kNone) return dy;
  const __m256 yv = full ? _mm256_loadu_ps(y + i) : _mm256_maskload_ps(y + i, tail);
  __m256 pass = _mm256_cmp_ps(yv, _mm256_setzero_ps(), _CMP_GT_OQ);
  if (act == Activation::kReLU6) {
    pass = _mm256_and_ps(pass, _mm256_cmp_ps(yv, _mm256_set1_ps(6.f), _CMP_LT_OQ));
  }
  return _mm256_and_ps(dy, pass);
}

struct PlaneArgs {
  const float *x, *y, *dy;
  float* dx;
  int64_t n;
  Activation act;
};

// sum dy_m and sum dy_m * (x - mean) over one plane (dy_m: dy masked by the activation).
void PlaneGradSums(const PlaneArgs& p, float mean, double* s_dy, double* s_dyx) {
  const __m256 m = _mm256_set1_ps(mean);
  __m256 a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps();
  for (int64_t i = 0; i < p.n; i += 8) {
    const bool full = i + 8 <= p.n;
    const __m256i t = TailMask(p.n - i);
    const __m256 dy = full ? _mm256_loadu_ps(p.dy + i) : _mm256_maskload_ps(p.dy + i, t);
    const __m256 x = full ? _mm256_loadu_ps(p.x + i) : _mm256_maskload_ps(p.x + i, t);
    const __m256 d = MaskedGrad(dy, p.y, i, p.act, t, full);
    a1 = _mm256_add_ps(a1, d);
    a2 = _mm256_fmadd_ps(d, _mm256_sub_ps(x, m), a2);
  }
  *s_dy += Sum8(a1);
  *s_dyx += Sum8(a2);
}

// dx += k0 * (dy_m - k1 - (x - mean) * k2) over one plane.
void PlaneGradApply(const PlaneArgs& p, float mean, float k0, float k1, float k2) {
  const __m256 m = _mm256_set1_ps(mean), v0 = _mm256_set1_ps(k0), v1 = _mm256_set1_ps(k1),
               v2 = _mm256_set1_ps(k2);
  for (int64_t i = 0; i < p.n; i += 8) {
    const bool full = i + 8 <= p.n;
    const __m256i t = TailMask(p.n - i);
    const __m256 dy = full ? _mm256_loadu_ps(p.dy + i) : _mm256_maskload_ps(p.dy + i, t);
    const __m256 x = full ? _mm256_loadu_ps(p.x + i) : _mm256_maskload_ps(p.x + i, t);
    const __m256 dx = full ? _mm256_loadu_ps(p.dx + i) : _mm256_maskload_ps(p.dx + i, t);
    const __m256 d = MaskedGrad(dy, p.y, i, p.act, t, full);
    const __m256 inner = _mm256_fnmadd_ps(_mm256_sub_ps(x, m), v2, _mm256_sub_ps(d, v1));
    const __m256 r = _mm256_fmadd_ps(v0, inner, dx);
    if (full) {
      _mm256_storeu_ps(p.dx + i, r);
    } else {
      _mm256_maskstore_ps(p.dx + i, t, r);
    }
  }
}

}  // namespace

void BatchNormForwardTrain(const BatchNormShape& s, const float* x, const float* gamma,
                           const float* beta, float eps, float momentum, float* running_mean,
                           float* running_var, Activation act, float* y, float* save_mean,
                           float* save_invstd) {
  CheckShape(s, "BatchNormForwardTrain", true);
  CHECK(x != y) << "BatchNormForwardTrain: y may not alias x";
  const int64_t M = int64_t(s.N) * s.HW;
  internal::DynamicFor(NumThreads(), s.C, [&](int, int64_t c) {
    double mean, var;
    ChannelStats(s, x, int(c), &mean, &var);
    save_mean[c] = float(mean);
    save_invstd[c] = float(1.0 / std::sqrt(var + eps));
    if (running_mean) running_mean[c] = float((1.0 - momentum) * running_mean[c] + momentum * mean);
    if (running_var) {
      running_var[c] = float((1.0 - momentum) * running_var[c] + momentum * var * M / (M - 1));
    }
  });
  Normalize(s, x, {gamma, beta, save_mean, save_invstd, nullptr, eps}, act, y);
}

void BatchNormForwardEval(const BatchNormShape& s, const float* x, const float* gamma,
                          const float* beta, const float* running_mean, const float* running_var,
                          float eps, Activation act, float* y) {
  CheckShape(s, "BatchNormForwardEval", false);
  Normalize(s, x, {gamma, beta, running_mean, nullptr, running_var, eps}, act, y);
}

// Ioffe & Szegedy 2015, Sec. 3 (backward through the batch statistics), with
// dy_m = dy masked by the activation and xhat = (x - mean) * invstd:
//   dbeta = sum dy_m, dgamma = sum dy_m * xhat,
//   dx = gamma * invstd * (dy_m - dbeta / M - xhat * dgamma / M).
// One task per channel: its two sweeps run back to back, so the second mostly hits cache.
void BatchNormBackward(const BatchNormShape& s, const float* x, const float* y, const float* dy,
                       const float* gamma, const float* save_mean, const float* save_invstd,
                       Activation act, float* dx, float* dgamma, float* dbeta) {
  CheckShape(s, "BatchNormBackward", true);
  CHECK(act == Activation::kNone || y != nullptr)
      << "BatchNormBackward: a fused activation needs the forward output y";
  const double M = double(s.N) * s.HW;
  internal::DynamicFor(NumThreads(), s.C, [&](int, int64_t c) {
    double s_dy = 0, s_dyx = 0;
    const float mean = save_mean[c], invstd = save_invstd[c];
    for (int n = 0; n < s.N; ++n) {
      const int64_t o = (int64_t(n) * s.C + c) * s.HW;
      PlaneGradSums({x + o, y ? y + o : nullptr, dy + o, dx + o, s.HW, act}, mean, &s_dy, &s_dyx);
    }
    if (dbeta) dbeta[c] += float(s_dy);
    if (dgamma) dgamma[c] += float(s_dyx * invstd);
    const float k0 = (gamma ? gamma[c] : 1.f) * invstd, k1 = float(s_dy / M),
                k2 = float(s_dyx * invstd * invstd / M);
    for (int n = 0; n < s.N; ++n) {
      const int64_t o = (int64_t(n) * s.C + c) * s.HW;
      PlaneGradApply({x + o, y ? y + o : nullptr, dy + o, dx + o, s.HW, act}, mean, k0, k1, k2);
    }
  });
}

}  // namespace kernels
}  // namespace strata
