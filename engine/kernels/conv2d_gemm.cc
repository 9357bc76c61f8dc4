// im2col + GEMM convolution (Chellapilla et al., "High Performance Convolutional Neural
// Networks for Document Processing", 2006): for wide layers, where OpenBLAS is near peak.
// Per image and group, with L = (C/G)*R*S:
//   forward          y (K/G x PQ)  = w (K/G x L) * col (L x PQ)
//   backward-data    col (L x PQ)  = w^T * dy;  dx += col2im(col)
//   backward-weight  dw (K/G x L) += dy (K/G x PQ) * col^T
// Batch split and chunked weight reduction as described in conv2d_internal.h.
#include <algorithm>

#include "engine/kernels/conv2d_internal.h"
#include "engine/kernels/gemm.h"

namespace strata {
namespace kernels {
namespace internal {
namespace {

struct GemmDims {
  int Cg, Kg, L, PQ;
  bool identity;  // 1x1, stride 1, no padding: col is the input itself
};

GemmDims Dims(const Conv2dShape& s) {
  const int Cg = s.C / s.groups;
  const bool identity =
      s.R == 1 && s.S == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_h == 0 && s.pad_w == 0;
  return {Cg, s.K / s.groups, Cg * s.R * s.S, s.P() * s.Q(), identity};
}

// Output columns [lo, hi) of row q*stride - pad + t that fall inside [0, W).
void ValidRange(int Q, int stride, int pad, int t, int W, int* lo, int* hi) {
  *lo = std::min(Q, std::max(0, (pad - t + stride - 1) / stride));
  const int last = W - 1 + pad - t;  // q * stride <= last
  *hi = last < 0 ? *lo : std::max(*lo, std::min(Q, last / stride + 1));
}

// Visits the rows of col (L x PQ) of one image's group in (c, r, t, p) order: fn(col_row,
// x_row, lo, hi) with x_row the group's input (x at its first channel) at output column 0
// of that row, valid for columns [lo, hi) with stride s.stride_w; x_row is null where the
// row lies in the padding.
template <typename T, typename Fn>
void ForEachColRow(const Conv2dShape& s, T* x, Fn fn) {
  const int P = s.P(), Q = s.Q(), Cg = s.C / s.groups;
  int64_t row_index = 0;
  for (int c = 0; c < Cg; ++c) {
    for (int r = 0; r < s.R; ++r) {
      for (int t = 0; t < s.S; ++t) {
        int lo, hi;
        ValidRange(Q, s.stride_w, s.pad_w, t, s.W, &lo, &hi);
        for (int p = 0; p < P; ++p, ++row_index) {
          const int h = p * s.stride_h - s.pad_h + r;
          const bool inside = h >= 0 && h < s.H;
          fn(row_index * Q, inside ? x + (int64_t(c) * s.H + h) * s.W - s.pad_w + t : nullptr, lo,
             hi);
        }
      }
    }
  }
}

void Im2Col(const Conv2dShape& s, const float* x, float* col) {
  const int Q = s.Q(), sw = s.stride_w;
  ForEachColRow(s, x, [&](int64_t at, const float* row, int lo, int hi) {
    float* out = col + at;
    if (!row) lo = hi = 0;
    std::fill(out, out + lo, 0.f);
    for (int q = lo; q < hi; ++q) out[q] = row[q * sw];
    std::fill(out + hi, out + Q, 0.f);
  });
}

// dx (one image's group) += col2im(col), contributions in (c, r, t, p, q) order.
void Col2ImAdd(const Conv2dShape& s, const float* col, float* dx) {
  const int sw = s.stride_w;
  ForEachColRow(s, dx, [&](int64_t at, float* row, int lo, int hi) {
    if (!row) return;
    for (int q = lo; q < hi; ++q) row[q * sw] += col[at + q];
  });
}

int64_t ColFloats(const Conv2dShape& s) {
  const GemmDims d = Dims(s);
  return int64_t(d.L) * d.PQ;
}

}  // namespace

int64_t GemmWorkspaceFloats(const Conv2dShape& s, int slots) {
  const int64_t cols = int64_t(slots) * ColFloats(s);
  return std::max(cols + WeightChunks(s) * WeightPartialFloats(s), int64_t(1));
}

void GemmForward(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y,
                 float* workspace) {
  const GemmDims d = Dims(s);
  const int64_t xg = int64_t(d.Cg) * s.H * s.W, yg = int64_t(d.Kg) * d.PQ;
  ForEachSlot(NumSlots(s.N), s.N, [&](int slot, int64_t n0, int64_t n1) {
    float* col = workspace + slot * ColFloats(s);
    for (int64_t n = n0; n < n1; ++n) {
      for (int g = 0; g < s.groups; ++g) {
        const float* xng = x + (n * s.groups + g) * xg;
        float* yng = y + (n * s.groups + g) * yg;
        if (!d.identity) Im2Col(s, xng, col);
        Gemm(false, false, d.Kg, d.PQ, d.L, 1.f, w + int64_t(g) * d.Kg * d.L, d.L,
             d.identity ? xng : col, d.PQ, 0.f, yng, d.PQ);
        if (!bias) continue;
        for (int k = 0; k < d.Kg; ++k) {
          const float b = bias[g * d.Kg + k];
          for (int i = 0; i < d.PQ; ++i) yng[int64_t(k) * d.PQ + i] += b;
        }
      }
    }
  });
}

void GemmBackwardData(const Conv2dShape& s, const float* dy, const float* w, float* dx,
                      float* workspace) {
  const GemmDims d = Dims(s);
  const int64_t xg = int64_t(d.Cg) * s.H * s.W, yg = int64_t(d.Kg) * d.PQ;
  ForEachSlot(NumSlots(s.N), s.N, [&](int slot, int64_t n0, int64_t n1) {
    float* col = workspace + slot * ColFloats(s);
    for (int64_t n = n0; n < n1; ++n) {
      for (int g = 0; g < s.groups; ++g) {
        float* dxng = dx + (n * s.groups + g) * xg;
        const float* wg = w + int64_t(g) * d.Kg * d.L;
        const float* dyng = dy + (n * s.groups + g) * yg;
        if (d.identity) {
          Gemm(true, false, d.L, d.PQ, d.Kg, 1.f, wg, d.L, dyng, d.PQ, 1.f, dxng, d.PQ);
        } else {
          Gemm(true, false, d.L, d.PQ, d.Kg, 1.f, wg, d.L, dyng, d.PQ, 0.f, col, d.PQ);
          Col2ImAdd(s, col, dxng);
        }
      }
    }
  });
}

void GemmBackwardWeight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                        float* dbias, float* workspace) {
  const GemmDims d = Dims(s);
  const int64_t xg = int64_t(d.Cg) * s.H * s.W, yg = int64_t(d.Kg) * d.PQ;
  const int slots = NumSlots(s.N), chunks = WeightChunks(s);
  float* partials = workspace + slots * ColFloats(s);
  ForEachSlot(slots, chunks, [&](int slot, int64_t c0, int64_t c1) {
    float* col = workspace + slot * ColFloats(s);
    for (int64_t chunk = c0; chunk < c1; ++chunk) {
      const int n0 = int(s.N * chunk / chunks), n1 = int(s.N * (chunk + 1) / chunks);
      float* part = partials + chunk * WeightPartialFloats(s);
      for (int n = n0; n < n1; ++n) {
        for (int g = 0; g < s.groups; ++g) {
          const float* xng = x + (int64_t(n) * s.groups + g) * xg;
          if (!d.identity) Im2Col(s, xng, col);
          Gemm(false, true, d.Kg, d.L, d.PQ, 1.f, dy + (int64_t(n) * s.groups + g) * yg, d.PQ,
               d.identity ? xng : col, d.PQ, n == n0 ? 0.f : 1.f, part + int64_t(g) * d.Kg * d.L,
               d.L);
        }
      }
      if (dbias) ChunkBiasGradient(s, dy, n0, n1, part + s.WSize());
    }
  });
  CombineWeightChunks(s, partials, chunks, dw, dbias, WeightPartialFloats(s));
}

}  // namespace internal
}  // namespace kernels
}  // namespace strata
