// Direct backward-weight: dw[k][c][r][t] += sum over n, p, q of dy[n][k][p][q] *
// x[n][c][p*sh - pad_h + r][q*sw - pad_w + t], dbias[k] += sum of dy[n][k].
//
// Layers with K/G >= 8 use the channel-vectorized tile of conv2d_direct_weight_wide.cc.
// Narrow ones (depthwise, K/G < 8) use the tile here, vectorized over output pixels: 4
// output channels x 3 consecutive (c, r, t) taps = 12 vector accumulators over all output
// vectors of one image (the padded input buffer of conv2d_direct.h makes every tap a
// contiguous load), summed horizontally into the chunk partial per image, images in order.
// Chunks as in conv2d_internal.h. No step depends on the thread count.
#include <algorithm>
#include <cstring>

#include "engine/kernels/conv2d_direct.h"
#include "engine/kernels/conv2d_internal.h"
#include "engine/kernels/dynamic_for.h"
#include "engine/parallel.h"

namespace strata {
namespace kernels {
namespace internal {
namespace {

constexpr int kTileTaps = 3;

struct WeightArgs {
  const float* x = nullptr;   // padded input buffer of the image
  const float* dy = nullptr;  // dy of the image at the block's first channel
  int64_t dy_plane = 0;       // P*Q
  int64_t row_step = 0;       // stride_h * row_pitch of the buffer
  int P = 0, Q = 0;
  float* dw = nullptr;  // partial at [first channel][first tap]
  int64_t ldw = 0;      // floats between channels of dw: (C/G)*R*S
};

template <int KB, int TB>
void WeightTile(const WeightArgs& a, const int64_t* tap) {
  __m256 acc[KB][TB];
#pragma GCC unroll 4
  for (int k = 0; k < KB; ++k) {
#pragma GCC unroll 3
    for (int j = 0; j < TB; ++j) acc[k][j] = _mm256_setzero_ps();
  }
  const int full = a.Q / kLanes, tail = a.Q % kLanes;
  const __m256i mask = LaneMask(tail);
  for (int p = 0; p < a.P; ++p) {
    const float* xr = a.x + p * a.row_step;
    const float* dr = a.dy + int64_t(p) * a.Q;
    for (int qv = 0; qv <= full; ++qv) {
      if (qv == full && tail == 0) break;
      const int q = qv * kLanes;
      __m256 xv[TB];
#pragma GCC unroll 3
      for (int j = 0; j < TB; ++j) xv[j] = _mm256_loadu_ps(xr + tap[j] + q);
#pragma GCC unroll 4
      for (int k = 0; k < KB; ++k) {
        const float* d = dr + k * a.dy_plane + q;
        const __m256 dv = qv < full ? _mm256_loadu_ps(d) : _mm256_maskload_ps(d, mask);
#pragma GCC unroll 3
        for (int j = 0; j < TB; ++j) acc[k][j] = _mm256_fmadd_ps(dv, xv[j], acc[k][j]);
      }
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < KB; ++k) {
#pragma GCC unroll 3
    for (int j = 0; j < TB; ++j) a.dw[k * a.ldw + j] += HorizontalSum(acc[k][j]);
  }
}

template <int KB>
void WeightTileTB(int tb, const WeightArgs& a, const int64_t* tap) {
  switch (tb) {
    case 1:
      return WeightTile<KB, 1>(a, tap);
    case 2:
      return WeightTile<KB, 2>(a, tap);
    default:
      return WeightTile<KB, 3>(a, tap);
  }
}

void RunWeightTile(int kb, int tb, const WeightArgs& a, const int64_t* tap) {
  switch (kb) {
    case 1:
      return WeightTileTB<1>(tb, a, tap);
    case 2:
      return WeightTileTB<2>(tb, a, tap);
    case 3:
      return WeightTileTB<3>(tb, a, tap);
    default:
      return WeightTileTB<4>(tb, a, tap);
  }
}

// partial (K x Cg*R*S, as w) += this image's gradient.
void WeightImage(const Conv2dShape& s, const PaddedInput& L, const float* buf, const int64_t* taps,
                 const float* dy, float* partial) {
  const int Cg = s.C / s.groups, Kg = s.K / s.groups, RS = s.R * s.S, L_ = Cg * RS;
  const int64_t PQ = int64_t(s.P()) * s.Q();
  WeightArgs a;
  a.dy_plane = PQ;
  a.row_step = s.stride_h * L.row_pitch;
  a.P = s.P();
  a.Q = s.Q();
  a.ldw = L_;
  for (int g = 0; g < s.groups; ++g) {
    a.x = buf + int64_t(g) * Cg * L.plane;
    for (int k0 = 0; k0 < Kg; k0 += kTileK) {
      a.dy = dy + (int64_t(g) * Kg + k0) * PQ;
      for (int f0 = 0; f0 < L_; f0 += kTileTaps) {
        int64_t tap[kTileTaps];
        const int tb = std::min(kTileTaps, L_ - f0);
        for (int j = 0; j < tb; ++j) tap[j] = (f0 + j) / RS * L.plane + taps[(f0 + j) % RS];
        a.dw = partial + (int64_t(g) * Kg + k0) * L_ + f0;
        RunWeightTile(std::min(kTileK, Kg - k0), tb, a, tap);
      }
    }
  }
}

// Kg >= 8: vectorize over output channels instead (see WideWeightImage), partial stored
// [g][c*R*S][Kg rounded up to 8].
bool UseWide(const Conv2dShape& s) { return s.K / s.groups >= kLanes; }

int64_t PartialWeightFloats(const Conv2dShape& s) {
  return UseWide(s)
             ? int64_t(s.groups) * (s.C / s.groups) * s.R * s.S * RoundUp(s.K / s.groups, kLanes)
             : s.WSize();
}

int64_t PartialFloats(const Conv2dShape& s) { return RoundUp(PartialWeightFloats(s) + s.K, 16); }

int64_t SlotFloats(const Conv2dShape& s) {
  const int64_t dyt =
      UseWide(s) ? RoundUp(int64_t(s.P()) * s.Q() * RoundUp(s.K / s.groups, kLanes), 16) : 0;
  return PaddedInputFloats(s) + dyt;
}

// dw += sum over chunks (in order) of the [g][f][Kgp] partials; dbias likewise.
void CombineWide(const Conv2dShape& s, const float* partials, int chunks, float* dw, float* dbias) {
  const int Kg = s.K / s.groups, Kgp = RoundUp(Kg, kLanes), L_ = s.C / s.groups * s.R * s.S;
  const int64_t stride = PartialFloats(s), bias_at = PartialWeightFloats(s);
  ParallelForRef(s.K, 1, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const int64_t g = k / Kg, kk = k % Kg;
      for (int f = 0; f < L_; ++f) {
        const int64_t i = (g * L_ + f) * Kgp + kk;
        float sum = partials[i];
        for (int c = 1; c < chunks; ++c) sum += partials[c * stride + i];
        dw[k * L_ + f] += sum;
      }
      if (!dbias) continue;
      float sum = partials[bias_at + k];
      for (int c = 1; c < chunks; ++c) sum += partials[c * stride + bias_at + k];
      dbias[k] += sum;
    }
  });
}

}  // namespace

int64_t DirectWeightWorkspaceFloats(const Conv2dShape& s, int slots) {
  return RoundUp(2 * s.R * s.S, 16) + slots * SlotFloats(s) + WeightChunks(s) * PartialFloats(s);
}

void DirectBackwardWeight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                          float* dbias, float* workspace) {
  const PaddedInput L = MakePaddedInput(s);
  int64_t* taps = reinterpret_cast<int64_t*>(workspace);
  InputTapOffsets(s, L, taps);
  const int slots = NumSlots(s.N), chunks = WeightChunks(s);
  const bool wide = UseWide(s);
  float* buffers = workspace + RoundUp(2 * s.R * s.S, 16);
  float* partials = buffers + slots * SlotFloats(s);
  const int64_t xn = int64_t(s.C) * s.H * s.W, yn = int64_t(s.K) * s.P() * s.Q();
  ForEachSlot(slots, chunks, [&](int slot, int64_t c0, int64_t c1) {
    float* buf = buffers + slot * SlotFloats(s);
    for (int64_t chunk = c0; chunk < c1; ++chunk) {
      const int n0 = int(s.N * chunk / chunks), n1 = int(s.N * (chunk + 1) / chunks);
      float* part = partials + chunk * PartialFloats(s);
      std::memset(part, 0, sizeof(float) * PartialWeightFloats(s));
      for (int n = n0; n < n1; ++n) {
        FillPaddedInput(s, L, x + n * xn, buf);
        if (wide) {
          WideWeightImage(s, L, buf, taps, dy + n * yn, buf + PaddedInputFloats(s), part,
                          n + 1 < s.N ? x + (n + 1) * xn : nullptr);
        } else {
          WeightImage(s, L, buf, taps, dy + n * yn, part);
        }
      }
      if (dbias) ChunkBiasGradient(s, dy, n0, n1, part + PartialWeightFloats(s));
    }
  });
  if (wide) {
    CombineWide(s, partials, chunks, dw, dbias);
  } else {
    CombineWeightChunks(s, partials, chunks, dw, dbias, PartialFloats(s));
  }
}

}  // namespace internal
}  // namespace kernels
}  // namespace strata
