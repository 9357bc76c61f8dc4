// Direct backward-data: dx += conv_transpose(dy, w), as a correlation of dy with the
// flipped, transposed filters run by the forward register tile (conv2d_direct.h).
//
// For stride (sh, sw), dx splits into sh*sw phases (h % sh, w % sw); within a phase, output
// (i, j) = dx[ph + sh*i][pw + sw*j] receives exactly the taps (r, t) with
// (ph + pad_h - r) % sh == 0 and (pw + pad_w - t) % sw == 0, from dy[i + a_r][j + b_t] with
// a_r = (ph + pad_h - r) / sh and b_t = (pw + pad_w - t) / sw: a stride-1 correlation over a
// zero-padded copy of dy. Stride 1 has one phase and accumulates straight into dx; other
// strides write a phase buffer that is then added into dx.
#include <algorithm>
#include <cstring>

#include "engine/check.h"
#include "engine/kernels/conv2d_direct.h"
#include "engine/kernels/conv2d_internal.h"

namespace strata {
namespace kernels {
namespace internal {
namespace {

// a = (phase + pad - r) / stride if r contributes to `phase`, else false.
bool TapShift(int phase, int pad, int r, int stride, int* a) {
  const int d = phase + pad - r;
  if (((d % stride) + stride) % stride != 0) return false;
  *a = d / stride;
  return true;
}

struct DataPlan {
  int top = 0, left = 0, rows = 0, pitch = 0;
  int64_t plane = 0;
  int max_rows = 0, max_vectors = 0;  // over phases: dx rows and output vectors per row
  int phases = 0;
};

void ShiftRange(int phases, int pad, int R, int stride, int* lo, int* hi) {
  *lo = 1 << 30;
  *hi = -(1 << 30);
  for (int ph = 0; ph < phases; ++ph) {
    for (int r = 0; r < R; ++r) {
      int a;
      if (!TapShift(ph, pad, r, stride, &a)) continue;
      *lo = std::min(*lo, a);
      *hi = std::max(*hi, a);
    }
  }
}

DataPlan MakeDataPlan(const Conv2dShape& s) {
  DataPlan d;
  int amin, amax, bmin, bmax;
  ShiftRange(s.stride_h, s.pad_h, s.R, s.stride_h, &amin, &amax);
  ShiftRange(s.stride_w, s.pad_w, s.S, s.stride_w, &bmin, &bmax);
  d.max_rows = CeilDiv(s.H, s.stride_h);
  d.max_vectors = CeilDiv(CeilDiv(s.W, s.stride_w), kLanes);
  d.top = std::max(0, -amin);
  d.left = std::max(0, -bmin);
  d.rows = d.max_rows + std::max(amax, 0) + d.top;
  d.pitch = d.max_vectors * kLanes + std::max(bmax, 0) + d.left;
  d.plane = int64_t(d.rows) * d.pitch;
  d.phases = s.stride_h * s.stride_w;
  return d;
}

// Taps of phase (ph, pw): offsets into a dy plane, and their (r*S + t); returns the count.
int PhaseTaps(const Conv2dShape& s, const DataPlan& d, int ph, int pw, int64_t* offsets, int* rs) {
  int n = 0;
  for (int r = 0; r < s.R; ++r) {
    for (int t = 0; t < s.S; ++t) {
      int a, b;
      if (!TapShift(ph, s.pad_h, r, s.stride_h, &a) || !TapShift(pw, s.pad_w, t, s.stride_w, &b)) {
        continue;
      }
      if (offsets) offsets[n] = int64_t(a + d.top) * d.pitch + b + d.left;
      if (rs) rs[n] = r * s.S + t;
      ++n;
    }
  }
  return n;
}

int64_t PackedPhaseFloats(const Conv2dShape& s, int taps) {
  return int64_t(s.groups) * CeilDiv(s.C / s.groups, kTileK) * kTileK * (s.K / s.groups) * taps;
}

// Weights of one phase as [g][c block][k][tap][4] (zero past C/G): w[g*Kg + k][c][r][t].
void PackPhaseWeights(const Conv2dShape& s, const float* w, const int* rs, int taps,
                      float* packed) {
  const int Cg = s.C / s.groups, Kg = s.K / s.groups, RS = s.R * s.S;
  for (int g = 0; g < s.groups; ++g) {
    for (int cb = 0; cb < Cg; cb += kTileK) {
      for (int k = 0; k < Kg; ++k) {
        for (int t = 0; t < taps; ++t, packed += kTileK) {
          for (int c = 0; c < kTileK; ++c) {
            packed[c] = cb + c < Cg ? w[((int64_t(g) * Kg + k) * Cg + cb + c) * RS + rs[t]] : 0.f;
          }
        }
      }
    }
  }
}

int64_t DyBufferFloats(const Conv2dShape& s, const DataPlan& d) {
  return RoundUp(s.K * d.plane + kSlack, 16);
}

int64_t PhaseOutFloats(const Conv2dShape& s, const DataPlan& d) {
  return d.phases == 1 ? 0 : RoundUp(int64_t(s.C) * d.max_rows * d.max_vectors * kLanes, 16);
}

// Per phase: tap offsets (R*S int64), flattened (k, tap) offsets (K/G*R*S int64).
int64_t PhaseOffsetFloats(const Conv2dShape& s) {
  return RoundUp(2 * (s.K / s.groups + 1) * s.R * s.S, 16);
}

// Shared part of the workspace: per phase, its offsets then its packed weights.
int64_t PhaseTableFloats(const Conv2dShape& s) {
  return PhaseOffsetFloats(s) + RoundUp(PackedPhaseFloats(s, s.R * s.S), 16);
}

void FillDyBuffer(const Conv2dShape& s, const DataPlan& d, const float* dy, float* buf) {
  const int P = s.P(), Q = s.Q();
  const int n = std::min(Q, d.pitch - d.left);
  for (int k = 0; k < s.K; ++k) {
    for (int row = 0; row < d.rows; ++row) {
      float* dst = buf + k * d.plane + int64_t(row) * d.pitch;
      const int p = row - d.top;
      const bool inside = p >= 0 && p < P;
      PadRow(inside ? dy + (int64_t(k) * P + p) * Q : dy, inside ? n : 0, inside ? d.left : 0,
             d.pitch, dst);
    }
  }
  std::memset(buf + s.K * d.plane, 0, sizeof(float) * kSlack);
}

// One phase of one image: tiles over (c blocks) x (output vectors of the phase).
// `next` (or null): the next image's dy, prefetched along the way. accumulate: a single
// phase adds its tiles into dx, else stores them (several phases always add).
void DataPhase(const Conv2dShape& s, const DataPlan& d, int ph, int pw, const float* buf,
               const float* table, float* dx, float* phase_out, const float* next,
               bool accumulate) {
  const int Cg = s.C / s.groups, Kg = s.K / s.groups;
  const int ntaps = PhaseTaps(s, d, ph, pw, nullptr, nullptr);
  const int64_t* offsets = reinterpret_cast<const int64_t*>(table) + s.R * s.S;
  const float* packed = table + PhaseOffsetFloats(s);
  const int rows = CeilDiv(s.H - ph, s.stride_h), cols = CeilDiv(s.W - pw, s.stride_w);
  const int per_row = CeilDiv(cols, kLanes);
  const bool direct = d.phases == 1;
  const int64_t out_plane = direct ? int64_t(s.H) * s.W : int64_t(rows) * per_row * kLanes;
  for (int g = 0; g < s.groups; ++g) {
    for (int v0 = 0; v0 < rows * per_row; v0 += kTileV) {
      PrefetchSlice(next, s.YSize() / s.N,
                    (int64_t(ph * s.stride_w + pw) * s.groups + g) * rows * per_row + v0,
                    int64_t(d.phases) * s.groups * rows * per_row);
      TileVectors v;
      v.count = std::min(kTileV, rows * per_row - v0);
      for (int j = 0; j < v.count; ++j) {
        const int i = (v0 + j) / per_row, q = (v0 + j) % per_row * kLanes;
        v.in_off[j] = int64_t(i) * d.pitch + q;
        v.out_off[j] = direct ? int64_t(i) * s.W + q : int64_t(i) * per_row * kLanes + q;
        v.lanes[j] = direct ? std::min(kLanes, s.W - q) : kLanes;
      }
      for (int c0 = 0; c0 < Cg; c0 += kTileK) {
        TileArgs a{buf + int64_t(g) * Kg * d.plane,
                   offsets,
                   Kg * ntaps,
                   packed + (int64_t(g) * CeilDiv(Cg, kTileK) + c0 / kTileK) * Kg * ntaps * kTileK,
                   (direct ? dx : phase_out) + (int64_t(g) * Cg + c0) * out_plane,
                   out_plane,
                   nullptr,
                   direct && accumulate};
        RunTile(std::min(kTileK, Cg - c0), a, v);
      }
    }
  }
  if (direct) return;
  for (int c = 0; c < s.C; ++c) {
    for (int i = 0; i < rows; ++i) {
      const float* src = phase_out + c * out_plane + int64_t(i) * per_row * kLanes;
      float* dst = dx + (int64_t(c) * s.H + ph + s.stride_h * i) * s.W + pw;
      for (int j = 0; j < cols; ++j) dst[j * s.stride_w] += src[j];
    }
  }
}

}  // namespace

int64_t DirectDataWorkspaceFloats(const Conv2dShape& s, int slots) {
  const DataPlan d = MakeDataPlan(s);
  return d.phases * PhaseTableFloats(s) + slots * (DyBufferFloats(s, d) + PhaseOutFloats(s, d));
}

void DirectBackwardData(const Conv2dShape& s, const float* dy, const float* w, float* dx,
                        float* workspace, bool accumulate) {
  const DataPlan d = MakeDataPlan(s);
  int rs[512];
  CHECK_LE(s.R * s.S, 512) << "Conv2dBackwardData: kernel " << s.R << "x" << s.S;
  for (int p = 0; p < d.phases; ++p) {
    float* table = workspace + p * PhaseTableFloats(s);
    int64_t* taps = reinterpret_cast<int64_t*>(table);
    const int n = PhaseTaps(s, d, p / s.stride_w, p % s.stride_w, taps, rs);
    FlattenOffsets(taps, n, s.K / s.groups, d.plane, taps + s.R * s.S);
    PackPhaseWeights(s, w, rs, n, table + PhaseOffsetFloats(s));
  }
  float* scratch = workspace + d.phases * PhaseTableFloats(s);
  const int64_t per_slot = DyBufferFloats(s, d) + PhaseOutFloats(s, d);
  const int64_t xn = int64_t(s.C) * s.H * s.W, yn = int64_t(s.K) * s.P() * s.Q();
  ForEachSlot(NumSlots(s.N), s.N, [&](int slot, int64_t n0, int64_t n1) {
    float* buf = scratch + slot * per_slot;
    for (int64_t n = n0; n < n1; ++n) {
      FillDyBuffer(s, d, dy + n * yn, buf);
      // One phase writes every element once (=, tile by tile); several add into the image.
      if (!accumulate && d.phases > 1) std::memset(dx + n * xn, 0, sizeof(float) * xn);
      for (int p = 0; p < d.phases; ++p) {
        DataPhase(s, d, p / s.stride_w, p % s.stride_w, buf, workspace + p * PhaseTableFloats(s),
                  dx + n * xn, buf + DyBufferFloats(s, d),
                  n + 1 < s.N ? dy + (n + 1) * yn : nullptr, accumulate);
      }
    }
  });
}

}  // namespace internal
}  // namespace kernels
}  // namespace strata
