// im2col + GEMM convolution (Chellapilla et al., "High Performance Convolutional Neural
// Networks for Document Processing", 2006): for wide layers, where OpenBLAS is near peak.
// Per image and group, with L = (C/G)*R*S:
//   forward          y (K/G x PQ)  = w (K/G x L) * col (L x PQ)
//   backward-data    col (L x PQ)  = w^T * dy;  dx += col2im(col)
//   backward-weight  dw (K/G x L) += dy (K/G x PQ) * col^T
// Small outputs (P*Q < 256) would give OpenBLAS a skinny N, so Gemm runs on batches of
// ImagesPerGemm() images side by side (columns i*PQ .. of col): ResNet-18 layer 4 at 4x4 is
// ~2x faster that way. Batches (and chunks of the weight reduction, conv2d_internal.h) are
// fixed by the shape, so the result never depends on the thread count.
#include <algorithm>
#include <cstring>

#include "engine/kernels/conv2d_internal.h"
#include "engine/kernels/gemm.h"

namespace strata {
namespace kernels {
namespace internal {
namespace {

constexpr int kMinColumns = 256;  // GEMM columns (images x P*Q) worth a call

struct GemmDims {
  int Cg, Kg, L, PQ;
  int nb;         // images per GEMM
  bool identity;  // 1x1, stride 1, no padding, one image per GEMM: col is the input itself
  int64_t ld() const { return int64_t(nb) * PQ; }
};

GemmDims Dims(const Conv2dShape& s) {
  const int Cg = s.C / s.groups, PQ = s.P() * s.Q();
  const int nb = std::min(s.N, std::max(1, (kMinColumns + PQ - 1) / PQ));
  const bool identity = s.R == 1 && s.S == 1 && s.stride_h == 1 && s.stride_w == 1 &&
                        s.pad_h == 0 && s.pad_w == 0 && nb == 1;
  return {Cg, s.K / s.groups, Cg * s.R * s.S, PQ, nb, identity};
}

// Output columns [lo, hi) of row q*stride - pad + t that fall inside [0, W).
void ValidRange(int Q, int stride, int pad, int t, int W, int* lo, int* hi) {
  *lo = std::min(Q, std::max(0, (pad - t + stride - 1) / stride));
  const int last = W - 1 + pad - t;  // q * stride <= last
  *hi = last < 0 ? *lo : std::max(*lo, std::min(Q, last / stride + 1));
}

// Visits the rows of one image's col block (L x PQ, rows ld floats apart) in (c, r, t, p)
// order: fn(at, x_row, lo, hi), `at` the row's offset in col, x_row the group's input (x at
// its first channel) at output column 0 of that row, valid for columns [lo, hi) with stride
// s.stride_w; x_row is null where the row lies in the padding.
template <typename T, typename Fn>
void ForEachColRow(const Conv2dShape& s, int64_t ld, T* x, Fn fn) {
  const int P = s.P(), Q = s.Q(), Cg = s.C / s.groups;
  int64_t crt = 0;
  for (int c = 0; c < Cg; ++c) {
    for (int r = 0; r < s.R; ++r) {
      for (int t = 0; t < s.S; ++t, ++crt) {
        int lo, hi;
        ValidRange(Q, s.stride_w, s.pad_w, t, s.W, &lo, &hi);
        for (int p = 0; p < P; ++p) {
          const int h = p * s.stride_h - s.pad_h + r;
          const bool inside = h >= 0 && h < s.H;
          fn(crt * ld + int64_t(p) * Q,
             inside ? x + (int64_t(c) * s.H + h) * s.W - s.pad_w + t : nullptr, lo, hi);
        }
      }
    }
  }
}

void Im2Col(const Conv2dShape& s, const float* x, int64_t ld, float* col) {
  const int Q = s.Q(), sw = s.stride_w;
  ForEachColRow(s, ld, x, [&](int64_t at, const float* row, int lo, int hi) {
    float* out = col + at;
    if (!row) lo = hi = 0;
    std::fill(out, out + lo, 0.f);
    for (int q = lo; q < hi; ++q) out[q] = row[q * sw];
    std::fill(out + hi, out + Q, 0.f);
  });
}

// dx (one image's group) += col2im(col), contributions in (c, r, t, p, q) order.
void Col2ImAdd(const Conv2dShape& s, const float* col, int64_t ld, float* dx) {
  const int sw = s.stride_w;
  ForEachColRow(s, ld, dx, [&](int64_t at, float* row, int lo, int hi) {
    if (!row) return;
    for (int q = lo; q < hi; ++q) row[q * sw] += col[at + q];
  });
}

// Scratch of one slot: col (L x ld) then a Kg x ld matrix (GEMM output or gathered dy).
int64_t SlotFloats(const Conv2dShape& s) {
  const GemmDims d = Dims(s);
  return (int64_t(d.L) + d.Kg) * d.ld();
}

// out[k][i*PQ + j] = y[n0 + i][g*Kg + k][j] for the nbi images of a batch (gather), or
// the reverse plus bias (scatter).
void GatherImages(const Conv2dShape& s, const GemmDims& d, const float* y, int64_t n0, int nbi,
                  int g, float* out) {
  for (int i = 0; i < nbi; ++i) {
    for (int k = 0; k < d.Kg; ++k) {
      const float* src = y + ((n0 + i) * s.K + int64_t(g) * d.Kg + k) * d.PQ;
      std::copy(src, src + d.PQ, out + k * d.ld() + int64_t(i) * d.PQ);
    }
  }
}

void ScatterImages(const Conv2dShape& s, const GemmDims& d, const float* in, int64_t n0, int nbi,
                   int g, const float* bias, float* y) {
  for (int i = 0; i < nbi; ++i) {
    for (int k = 0; k < d.Kg; ++k) {
      const float* src = in + k * d.ld() + int64_t(i) * d.PQ;
      float* dst = y + ((n0 + i) * s.K + int64_t(g) * d.Kg + k) * d.PQ;
      const float b = bias ? bias[g * d.Kg + k] : 0.f;
      for (int j = 0; j < d.PQ; ++j) dst[j] = src[j] + b;
    }
  }
}

}  // namespace

int64_t GemmWorkspaceFloats(const Conv2dShape& s, int slots) {
  return slots * SlotFloats(s) + WeightChunks(s) * WeightPartialFloats(s);
}

void GemmForward(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y,
                 float* workspace) {
  const GemmDims d = Dims(s);
  const int64_t xg = int64_t(d.Cg) * s.H * s.W, yg = int64_t(d.Kg) * d.PQ;
  ForEachSlot(NumSlots(s.N), (s.N + d.nb - 1) / d.nb, [&](int slot, int64_t b, int64_t) {
    float* col = workspace + slot * SlotFloats(s);
    float* out = col + int64_t(d.L) * d.ld();
    const int64_t n0 = b * d.nb;
    const int nbi = int(std::min<int64_t>(d.nb, s.N - n0));
    for (int g = 0; g < s.groups; ++g) {
      const float* wg = w + int64_t(g) * d.Kg * d.L;
      if (d.identity) {  // nb == 1: straight into y, then the bias
        float* yng = y + (n0 * s.groups + g) * yg;
        Gemm(false, false, d.Kg, d.PQ, d.L, 1.f, wg, d.L, x + (n0 * s.groups + g) * xg, d.PQ, 0.f,
             yng, d.PQ);
        for (int k = 0; bias && k < d.Kg; ++k) {
          for (int j = 0; j < d.PQ; ++j) yng[int64_t(k) * d.PQ + j] += bias[g * d.Kg + k];
        }
        continue;
      }
      for (int i = 0; i < nbi; ++i) {
        Im2Col(s, x + ((n0 + i) * s.groups + g) * xg, d.ld(), col + i * d.PQ);
      }
      Gemm(false, false, d.Kg, nbi * d.PQ, d.L, 1.f, wg, d.L, col, d.ld(), 0.f, out, d.ld());
      ScatterImages(s, d, out, n0, nbi, g, bias, y);
    }
  });
}

void GemmBackwardData(const Conv2dShape& s, const float* dy, const float* w, float* dx,
                      float* workspace, bool accumulate) {
  const GemmDims d = Dims(s);
  const int64_t xg = int64_t(d.Cg) * s.H * s.W, yg = int64_t(d.Kg) * d.PQ;
  ForEachSlot(NumSlots(s.N), (s.N + d.nb - 1) / d.nb, [&](int slot, int64_t b, int64_t) {
    float* col = workspace + slot * SlotFloats(s);
    float* dyb = col + int64_t(d.L) * d.ld();
    const int64_t n0 = b * d.nb;
    const int nbi = int(std::min<int64_t>(d.nb, s.N - n0));
    for (int g = 0; g < s.groups; ++g) {
      const float* wg = w + int64_t(g) * d.Kg * d.L;
      if (d.identity) {  // nb == 1: dx (+)= w^T dy
        Gemm(true, false, d.L, d.PQ, d.Kg, 1.f, wg, d.L, dy + (n0 * s.groups + g) * yg, d.PQ,
             accumulate ? 1.f : 0.f, dx + (n0 * s.groups + g) * xg, d.PQ);
        continue;
      }
      GatherImages(s, d, dy, n0, nbi, g, dyb);
      Gemm(true, false, d.L, nbi * d.PQ, d.Kg, 1.f, wg, d.L, dyb, d.ld(), 0.f, col, d.ld());
      for (int i = 0; i < nbi; ++i) {
        float* dxi = dx + ((n0 + i) * s.groups + g) * xg;
        if (!accumulate) std::memset(dxi, 0, sizeof(float) * xg);  // col2im adds (overlaps)
        Col2ImAdd(s, col + i * d.PQ, d.ld(), dxi);
      }
    }
  });
}

// One chunk's partial dw: images [n0, n1) in batches of nb, images in order.
void GemmWeightChunk(const Conv2dShape& s, const GemmDims& d, const float* x, const float* dy,
                     int n0, int n1, float* col, float* part) {
  const int64_t xg = int64_t(d.Cg) * s.H * s.W, yg = int64_t(d.Kg) * d.PQ;
  float* dyb = col + int64_t(d.L) * d.ld();
  for (int b0 = n0; b0 < n1; b0 += d.nb) {
    const int nbi = std::min(d.nb, n1 - b0);
    for (int g = 0; g < s.groups; ++g) {
      const float* a = dy + (int64_t(b0) * s.groups + g) * yg;
      const float* bm = x + (int64_t(b0) * s.groups + g) * xg;
      if (!d.identity) {
        GatherImages(s, d, dy, b0, nbi, g, dyb);
        for (int i = 0; i < nbi; ++i)
          Im2Col(s, x + ((int64_t(b0) + i) * s.groups + g) * xg, d.ld(), col + i * d.PQ);
        a = dyb;
        bm = col;
      }
      Gemm(false, true, d.Kg, d.L, nbi * d.PQ, 1.f, a, d.identity ? d.PQ : d.ld(), bm,
           d.identity ? d.PQ : d.ld(), b0 == n0 ? 0.f : 1.f, part + int64_t(g) * d.Kg * d.L, d.L);
    }
  }
}

void GemmBackwardWeight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                        float* dbias, float* workspace) {
  const GemmDims d = Dims(s);
  const int slots = NumSlots(s.N), chunks = WeightChunks(s);
  float* partials = workspace + slots * SlotFloats(s);
  ForEachSlot(slots, chunks, [&](int slot, int64_t chunk, int64_t) {
    const int n0 = int(s.N * chunk / chunks), n1 = int(s.N * (chunk + 1) / chunks);
    float* part = partials + chunk * WeightPartialFloats(s);
    GemmWeightChunk(s, d, x, dy, n0, n1, workspace + slot * SlotFloats(s), part);
    if (dbias) ChunkBiasGradient(s, dy, n0, n1, part + s.WSize());
  });
  CombineWeightChunks(s, partials, chunks, dw, dbias, WeightPartialFloats(s));
}

}  // namespace internal
}  // namespace kernels
}  // namespace strata
