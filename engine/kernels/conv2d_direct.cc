// Direct convolution: the register tile shared by forward and backward-data, the padded
// input buffer, and the forward pass. See conv2d_direct.h for the blocking.
#include "engine/kernels/conv2d_direct.h"

#include <algorithm>
#include <cstring>

#include "engine/kernels/conv2d_internal.h"

namespace strata {
namespace kernels {
namespace internal {
namespace {

template <int KB, int NV>
void StoreTile(const TileArgs& a, const TileVectors& v, __m256 (&acc)[KB][NV]) {
#pragma GCC unroll 3
  for (int j = 0; j < NV; ++j) {
    const bool full = v.lanes[j] == kLanes;
    const __m256i mask = LaneMask(v.lanes[j]);
#pragma GCC unroll 4
    for (int k = 0; k < KB; ++k) {
      float* o = a.out + k * a.out_plane + v.out_off[j];
      __m256 r = acc[k][j];
      if (a.accumulate)
        r = _mm256_add_ps(full ? _mm256_loadu_ps(o) : _mm256_maskload_ps(o, mask), r);
      if (full) {
        _mm256_storeu_ps(o, r);
      } else {
        _mm256_maskstore_ps(o, mask, r);
      }
    }
  }
}

template <int KB, int NV>
void Tile(const TileArgs& a, const TileVectors& v) {
  __m256 acc[KB][NV];
#pragma GCC unroll 4
  for (int k = 0; k < KB; ++k) {
    const __m256 b = a.bias ? _mm256_set1_ps(a.bias[k]) : _mm256_setzero_ps();
#pragma GCC unroll 3
    for (int j = 0; j < NV; ++j) acc[k][j] = b;
  }
  const float* wp = a.w;
  const int64_t* off = a.offsets;
  const int64_t* const end = off + a.steps;
  // Vector base pointers kept in registers; one table load per step.
  const float* base[NV];
#pragma GCC unroll 3
  for (int j = 0; j < NV; ++j) base[j] = a.in + v.in_off[j];
  for (; off < end; ++off, wp += kTileK) {
    const int64_t o = *off;
    __m256 xv[NV];
#pragma GCC unroll 3
    for (int j = 0; j < NV; ++j) xv[j] = _mm256_loadu_ps(base[j] + o);
#pragma GCC unroll 4
    for (int k = 0; k < KB; ++k) {
      const __m256 wb = _mm256_broadcast_ss(wp + k);
#pragma GCC unroll 3
      for (int j = 0; j < NV; ++j) acc[k][j] = _mm256_fmadd_ps(wb, xv[j], acc[k][j]);
    }
  }
  StoreTile<KB, NV>(a, v, acc);
}

template <int KB>
void TileNV(const TileArgs& a, const TileVectors& v) {
  switch (v.count) {
    case 1:
      return Tile<KB, 1>(a, v);
    case 2:
      return Tile<KB, 2>(a, v);
    default:
      return Tile<KB, 3>(a, v);
  }
}

// Forward weights packed per group and block of 4 output channels: [g][kb][c][r*S+t][4],
// zero-padded past K/G.
void PackForwardWeights(const Conv2dShape& s, const float* w, float* packed) {
  const int Cg = s.C / s.groups, Kg = s.K / s.groups, RS = s.R * s.S;
  const int blocks = CeilDiv(Kg, kTileK);
  for (int g = 0; g < s.groups; ++g) {
    for (int b = 0; b < blocks; ++b) {
      for (int c = 0; c < Cg; ++c) {
        for (int t = 0; t < RS; ++t, packed += kTileK) {
          for (int k = 0; k < kTileK; ++k) {
            const int kg = b * kTileK + k;
            packed[k] = kg < Kg ? w[((int64_t(g) * Kg + kg) * Cg + c) * RS + t] : 0.f;
          }
        }
      }
    }
  }
}

// Tap offsets (R*S) then flattened (channel, tap) offsets (C/G*R*S), as int64.
int64_t OffsetTableFloats(const Conv2dShape& s) {
  return RoundUp(2 * (s.C / s.groups + 1) * s.R * s.S, 16);
}

int64_t PackedForwardFloats(const Conv2dShape& s) {
  const int Kg = s.K / s.groups;
  return RoundUp(int64_t(s.groups) * CeilDiv(Kg, kTileK) * kTileK * (s.C / s.groups) * s.R * s.S,
                 16);
}

// Output vector `index` of the P x ceil(Q/8) grid, for the forward pass.
void ForwardVector(const Conv2dShape& s, const PaddedInput& L, int index, int slot,
                   TileVectors* v) {
  const int qv = CeilDiv(s.Q(), kLanes);
  const int p = index / qv, q = index % qv * kLanes;
  v->in_off[slot] = p * s.stride_h * L.row_pitch + q;
  v->out_off[slot] = int64_t(p) * s.Q() + q;
  v->lanes[slot] = std::min(kLanes, s.Q() - q);
}

// One image; `next` (or null) is the next image's input, prefetched along the way.
void ForwardImage(const Conv2dShape& s, const PaddedInput& L, const float* buf,
                  const int64_t* offsets, const float* packed, const float* bias, float* y,
                  const float* next) {
  const int Cg = s.C / s.groups, Kg = s.K / s.groups, RS = s.R * s.S;
  const int vectors = s.P() * CeilDiv(s.Q(), kLanes);
  const int64_t PQ = int64_t(s.P()) * s.Q();
  for (int g = 0; g < s.groups; ++g) {
    for (int v0 = 0; v0 < vectors; v0 += kTileV) {
      PrefetchSlice(next, s.XSize() / s.N, g * vectors + v0, s.groups * vectors);
      TileVectors v;
      v.count = std::min(kTileV, vectors - v0);
      for (int j = 0; j < v.count; ++j) ForwardVector(s, L, v0 + j, j, &v);
      for (int k0 = 0; k0 < Kg; k0 += kTileK) {
        TileArgs a{buf + int64_t(g) * Cg * L.plane,
                   offsets,
                   Cg * RS,
                   packed + (int64_t(g) * CeilDiv(Kg, kTileK) + k0 / kTileK) * Cg * RS * kTileK,
                   y + (int64_t(g) * Kg + k0) * PQ,
                   PQ,
                   bias ? bias + g * Kg + k0 : nullptr,
                   false};
        RunTile(std::min(kTileK, Kg - k0), a, v);
      }
    }
  }
}

}  // namespace

void RunTile(int kk, const TileArgs& a, const TileVectors& v) {
  switch (kk) {
    case 1:
      return TileNV<1>(a, v);
    case 2:
      return TileNV<2>(a, v);
    case 3:
      return TileNV<3>(a, v);
    default:
      return TileNV<4>(a, v);
  }
}

PaddedInput MakePaddedInput(const Conv2dShape& s) {
  PaddedInput L;
  L.rows = (s.P() - 1) * s.stride_h + s.R;
  L.phases = s.stride_w;
  L.half = CeilDiv(s.Q(), kLanes) * kLanes + (s.S - 1) / s.stride_w;
  L.row_pitch = int64_t(L.phases) * L.half;
  L.plane = L.rows * L.row_pitch;
  return L;
}

int64_t PaddedInputFloats(const Conv2dShape& s) {
  return RoundUp(s.C * MakePaddedInput(s).plane + kSlack, 16);
}

void FillPaddedInput(const Conv2dShape& s, const PaddedInput& L, const float* x, float* buf) {
  for (int c = 0; c < s.C; ++c) {
    for (int row = 0; row < L.rows; ++row) {
      float* dst = buf + c * L.plane + row * L.row_pitch;
      const int h = row - s.pad_h;
      const float* src = x + (int64_t(c) * s.H + h) * s.W;
      if (h < 0 || h >= s.H) {
        PadRow(src, 0, 0, int(L.row_pitch), dst);
        continue;
      }
      if (L.phases == 1) {
        PadRow(src, std::max(0, std::min(s.W, L.half - s.pad_w)), std::min(s.pad_w, L.half), L.half,
               dst);
        continue;
      }
      for (int ph = 0; ph < L.phases; ++ph) {
        for (int i = 0; i < L.half; ++i) {
          const int w = i * L.phases + ph - s.pad_w;
          dst[ph * L.half + i] = (w >= 0 && w < s.W) ? src[w] : 0.f;
        }
      }
    }
  }
  std::memset(buf + s.C * L.plane, 0, sizeof(float) * kSlack);
}

void InputTapOffsets(const Conv2dShape& s, const PaddedInput& L, int64_t* taps) {
  for (int r = 0; r < s.R; ++r) {
    for (int t = 0; t < s.S; ++t) {
      taps[r * s.S + t] = r * L.row_pitch + (t % s.stride_w) * L.half + t / s.stride_w;
    }
  }
}

void FlattenOffsets(const int64_t* taps, int ntaps, int channels, int64_t plane, int64_t* flat) {
  for (int c = 0; c < channels; ++c) {
    for (int t = 0; t < ntaps; ++t) flat[c * ntaps + t] = c * plane + taps[t];
  }
}

int64_t DirectForwardWorkspaceFloats(const Conv2dShape& s, int slots) {
  return PackedForwardFloats(s) + OffsetTableFloats(s) + slots * PaddedInputFloats(s);
}

int64_t DirectWorkspaceFloats(const Conv2dShape& s, int slots) {
  return std::max({DirectForwardWorkspaceFloats(s, slots), DirectDataWorkspaceFloats(s, slots),
                   DirectWeightWorkspaceFloats(s, slots)});
}

void DirectForward(const Conv2dShape& s, const float* x, const float* w, const float* bias,
                   float* y, float* workspace) {
  const PaddedInput L = MakePaddedInput(s);
  float* packed = workspace;
  int64_t* taps = reinterpret_cast<int64_t*>(workspace + PackedForwardFloats(s));
  int64_t* offsets = taps + s.R * s.S;
  float* buffers = workspace + PackedForwardFloats(s) + OffsetTableFloats(s);
  PackForwardWeights(s, w, packed);
  InputTapOffsets(s, L, taps);
  FlattenOffsets(taps, s.R * s.S, s.C / s.groups, L.plane, offsets);
  const int64_t xn = int64_t(s.C) * s.H * s.W, yn = int64_t(s.K) * s.P() * s.Q();
  ForEachSlot(NumSlots(s.N), s.N, [&](int slot, int64_t n0, int64_t n1) {
    float* buf = buffers + slot * PaddedInputFloats(s);
    for (int64_t n = n0; n < n1; ++n) {
      FillPaddedInput(s, L, x + n * xn, buf);
      ForwardImage(s, L, buf, offsets, packed, bias, y + n * yn,
                   n + 1 < s.N ? x + (n + 1) * xn : nullptr);
    }
  });
}

}  // namespace internal
}  // namespace kernels
}  // namespace strata
