// Direct backward-weight for layers with K/G >= 8, vectorized over output channels:
//   dW^T (C/G*R*S x K/G) += X_col (C/G*R*S x PQ) * dY^T (PQ x K/G)
// with X_col never formed: each register tile holds 2 vectors of 8 output channels x 6
// consecutive (c, r, t) taps, and for every output pixel broadcasts the 6 input values from
// the padded buffer (conv2d_direct.h) against 2 loads of the transposed dy. Every partial
// element is one FMA chain over the pixels in (p, q) order, added to the chunk partial per
// image: no horizontal sums, and nothing depends on the thread count.
#include <algorithm>

#include "engine/kernels/conv2d_direct.h"

namespace strata {
namespace kernels {
namespace internal {
namespace {

constexpr int kWideTaps = 6;

struct WideArgs {
  const float* x = nullptr;    // padded buffer at the group's first channel
  const float* dyt = nullptr;  // transposed dy: [p*Q + q][Kgp], at the block's first channel
  int Kgp = 0;
  int64_t row_step = 0;  // stride_h * row_pitch
  int P = 0, Q = 0;
  float* part = nullptr;  // partial at [first tap][block's first channel]
};

template <int KV, int TB>
void WideTile(const WideArgs& a, const int64_t* tap) {
  __m256 acc[KV][TB];
#pragma GCC unroll 2
  for (int v = 0; v < KV; ++v) {
#pragma GCC unroll 6
    for (int j = 0; j < TB; ++j) acc[v][j] = _mm256_setzero_ps();
  }
  for (int p = 0; p < a.P; ++p) {
    const float* xr = a.x + p * a.row_step;
    const float* d = a.dyt + int64_t(p) * a.Q * a.Kgp;
    for (int q = 0; q < a.Q; ++q, d += a.Kgp) {
      __m256 dv[KV];
#pragma GCC unroll 2
      for (int v = 0; v < KV; ++v) dv[v] = _mm256_loadu_ps(d + v * kLanes);
#pragma GCC unroll 6
      for (int j = 0; j < TB; ++j) {
        const __m256 xb = _mm256_broadcast_ss(xr + tap[j] + q);
#pragma GCC unroll 2
        for (int v = 0; v < KV; ++v) acc[v][j] = _mm256_fmadd_ps(dv[v], xb, acc[v][j]);
      }
    }
  }
#pragma GCC unroll 6
  for (int j = 0; j < TB; ++j) {
#pragma GCC unroll 2
    for (int v = 0; v < KV; ++v) {
      float* o = a.part + int64_t(j) * a.Kgp + v * kLanes;
      _mm256_storeu_ps(o, _mm256_add_ps(_mm256_loadu_ps(o), acc[v][j]));
    }
  }
}

template <int KV>
void WideTileTB(int tb, const WideArgs& a, const int64_t* tap) {
  switch (tb) {
    case 1:
      return WideTile<KV, 1>(a, tap);
    case 2:
      return WideTile<KV, 2>(a, tap);
    case 3:
      return WideTile<KV, 3>(a, tap);
    case 4:
      return WideTile<KV, 4>(a, tap);
    case 5:
      return WideTile<KV, 5>(a, tap);
    default:
      return WideTile<KV, 6>(a, tap);
  }
}

// 8x8 block transpose: out[j][i] = in[i][j] (rows ld_in / ld_out floats apart).
void Transpose8x8(const float* in, int64_t ld_in, float* out, int64_t ld_out) {
  __m256 r[8], t[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(in + i * ld_in);
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    _mm256_storeu_ps(out + i * ld_out, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
    _mm256_storeu_ps(out + (i + 4) * ld_out, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
  }
}

// dyt[pq][k] = dy[k][pq] for one group, k padded with zeros to Kgp.
void TransposeDy(const float* dy, int Kg, int Kgp, int64_t PQ, float* dyt) {
  if (Kg % kLanes == 0 && PQ % kLanes == 0) {
    for (int k = 0; k < Kg; k += kLanes) {
      for (int64_t i = 0; i < PQ; i += kLanes)
        Transpose8x8(dy + k * PQ + i, PQ, dyt + i * Kgp + k, Kgp);
    }
    return;
  }
  for (int64_t i = 0; i < PQ; ++i) {
    float* row = dyt + i * Kgp;
    for (int k = 0; k < Kg; ++k) row[k] = dy[k * PQ + i];
    for (int k = Kg; k < Kgp; ++k) row[k] = 0.f;
  }
}

}  // namespace

void WideWeightImage(const Conv2dShape& s, const PaddedInput& L, const float* buf,
                     const int64_t* taps, const float* dy, float* dyt, float* partial,
                     const float* next_x) {
  const int Cg = s.C / s.groups, Kg = s.K / s.groups, RS = s.R * s.S, L_ = Cg * RS;
  const int Kgp = int(RoundUp(Kg, kLanes));
  const int64_t PQ = int64_t(s.P()) * s.Q();
  WideArgs a;
  a.dyt = dyt;
  a.Kgp = Kgp;
  a.row_step = s.stride_h * L.row_pitch;
  a.P = s.P();
  a.Q = s.Q();
  for (int g = 0; g < s.groups; ++g) {
    TransposeDy(dy + int64_t(g) * Kg * PQ, Kg, Kgp, PQ, dyt);
    a.x = buf + int64_t(g) * Cg * L.plane;
    for (int f0 = 0; f0 < L_; f0 += kWideTaps) {
      PrefetchSlice(next_x, s.XSize() / s.N, int64_t(g) * L_ + f0, int64_t(s.groups) * L_);
      int64_t tap[kWideTaps];
      const int tb = std::min(kWideTaps, L_ - f0);
      for (int j = 0; j < tb; ++j) tap[j] = (f0 + j) / RS * L.plane + taps[(f0 + j) % RS];
      for (int k0 = 0; k0 < Kgp; k0 += 2 * kLanes) {
        a.dyt = dyt + k0;
        a.part = partial + (int64_t(g) * L_ + f0) * Kgp + k0;
        if (Kgp - k0 >= 2 * kLanes) {
          WideTileTB<2>(tb, a, tap);
        } else {
          WideTileTB<1>(tb, a, tap);
        }
      }
    }
  }
}

}  // namespace internal
}  // namespace kernels
}  // namespace strata
