// Integer convolution (see int_conv.h). Per work item (image n, group g, tile of output rows):
//   1. gather: col8[d][j] = code at depth d = (c, r, s) for tile pixel j (0 outside the
//      image, in the row padding and beyond the tile), one byte each;
//   2. pack: int32 pairs (col8[2 d2][j], col8[2 d2 + 1][j]) widened to int16, in panels of 8
//      pixels, each panel D2 x 8 contiguous;
//   3. GEMM: acc[k][j] += madd(pair panel, broadcast weight pair), 4 channels x 3 panels of
//      int32 accumulators in registers, then y = fma(float(acc), scale, bias).
#include "quant/kernels/int_conv.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/check.h"
#include "engine/parallel.h"

namespace strata {
namespace quant {
namespace kernels {
namespace {

constexpr int kPanel = 8;                   // pixels per panel: one __m256i of int32 pairs
constexpr int64_t kColBudget = int64_t(1) << 16;  // packed int32 per tile (256 KiB, in L2)
constexpr int kMaxDepth = 1 << 16;          // |acc| <= D * 128 * 255 < 2^31

int RoundUp(int v, int m) { return (v + m - 1) / m * m; }

// Sizes derived from the shape (none depends on the thread count).
struct Plan {
  int P, Q, Cg, Kg, D, D2;
  int rows, tiles;  // output rows per tile, tiles per (image, group)
  int Tp;           // pixels per tile rounded up to 16 (one pack step)
  int64_t col8_ints, colp_ints;
  int64_t slot_ints() const { return col8_ints + colp_ints; }
};

Plan MakePlan(const IntConv2dShape& s) {
  CHECK(s.N > 0 && s.C > 0 && s.H > 0 && s.W > 0 && s.K > 0 && s.R > 0 && s.S > 0)
      << "IntConv2d: sizes must be positive";
  CHECK(s.groups > 0 && s.C % s.groups == 0 && s.K % s.groups == 0)
      << "IntConv2d: groups " << s.groups << " must divide C " << s.C << " and K " << s.K;
  CHECK(s.stride_h > 0 && s.stride_w > 0 && s.pad_h >= 0 && s.pad_w >= 0)
      << "IntConv2d: stride " << s.stride_h << "x" << s.stride_w << " pad " << s.pad_h << "x"
      << s.pad_w;
  CHECK(s.P() > 0 && s.Q() > 0) << "IntConv2d: empty output for input " << s.H << "x" << s.W
                                << " kernel " << s.R << "x" << s.S;
  CHECK_LE(s.D(), kMaxDepth) << "IntConv2d: (C/groups)*R*S would overflow the int32 sums";
  Plan p;
  p.P = s.P(), p.Q = s.Q(), p.Cg = s.C / s.groups, p.Kg = s.K / s.groups;
  p.D = s.D(), p.D2 = (p.D + 1) / 2;
  p.rows = int(std::clamp<int64_t>(kColBudget / (int64_t(p.D2) * p.Q), 1, p.P));
  p.tiles = (p.P + p.rows - 1) / p.rows;
  p.Tp = RoundUp(p.rows * p.Q, 16);
  p.col8_ints = (int64_t(2 * p.D2) * p.Tp + 3) / 4;
  p.colp_ints = int64_t(p.D2) * p.Tp;
  return p;
}

// Output columns [lo, hi) whose input column ow*stride - pad + s lies inside [0, W).
void ValidColumns(int W, int Q, int stride, int pad, int s, int* lo, int* hi) {
  *lo = s >= pad ? 0 : (pad - s + stride - 1) / stride;
  const int last = W - 1 + pad - s;  // largest ow*stride allowed
  *hi = last < 0 ? 0 : std::min(Q, last / stride + 1);
  *lo = std::min(*lo, *hi);
}

// Step 1: col8 rows for depth d over output rows [oh0, oh1) of image n, group g.
void Gather(const IntConv2dShape& s, const Plan& p, const uint8_t* x, int n, int g, int oh0,
            int oh1, uint8_t* col8) {
  for (int d = 0; d < 2 * p.D2; ++d) {
    uint8_t* row = col8 + int64_t(d) * p.Tp;
    const int T = (oh1 - oh0) * p.Q;
    std::memset(row + T, 0, p.Tp - T);
    if (d >= p.D) {  // the zero partner of an odd depth
      std::memset(row, 0, T);
      continue;
    }
    const int c = d / (s.R * s.S), r = d / s.S % s.R, ks = d % s.S;
    int lo, hi;
    ValidColumns(s.W, p.Q, s.stride_w, s.pad_w, ks, &lo, &hi);
    const uint8_t* plane = x + (int64_t(n) * s.C + int64_t(g) * p.Cg + c) * s.H * s.W;
    for (int oh = oh0; oh < oh1; ++oh) {
      uint8_t* out = row + (oh - oh0) * p.Q;
      const int ih = oh * s.stride_h - s.pad_h + r;
      if (ih < 0 || ih >= s.H) {
        std::memset(out, 0, p.Q);
        continue;
      }
      const uint8_t* src = plane + int64_t(ih) * s.W - s.pad_w + ks;
      std::memset(out, 0, lo);
      if (s.stride_w == 1) {
        std::memcpy(out + lo, src + lo, hi - lo);
      } else {
        for (int ow = lo; ow < hi; ++ow) out[ow] = src[ow * s.stride_w];
      }
      std::memset(out + hi, 0, p.Q - hi);
    }
  }
}

// Step 2: interleave byte rows 2 d2 and 2 d2 + 1 into int16 pairs, sign- or zero-extended.
template <bool kSigned>
void Pack(const Plan& p, const uint8_t* col8, int32_t* colp) {
  for (int d2 = 0; d2 < p.D2; ++d2) {
    const uint8_t* a = col8 + int64_t(2 * d2) * p.Tp;
    const uint8_t* b = a + p.Tp;
    for (int j = 0; j < p.Tp; j += 16) {
      const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + j));
      const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + j));
      const __m128i lo = _mm_unpacklo_epi8(va, vb), hi = _mm_unpackhi_epi8(va, vb);
      int32_t* panel = colp + (int64_t(j / kPanel) * p.D2 + d2) * kPanel;
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(panel),
                          kSigned ? _mm256_cvtepi8_epi16(lo) : _mm256_cvtepu8_epi16(lo));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(panel + int64_t(p.D2) * kPanel),
                          kSigned ? _mm256_cvtepi8_epi16(hi) : _mm256_cvtepu8_epi16(hi));
    }
  }
}

// Weight codes as int16 pairs (w[k][2 d2], w[k][2 d2 + 1]) in one int32, K x D2.
void PackWeights(const IntConv2dShape& s, const Plan& p, const int8_t* w, int32_t* wp) {
  for (int k = 0; k < s.K; ++k) {
    const int8_t* wk = w + int64_t(k) * p.D;
    for (int d2 = 0; d2 < p.D2; ++d2) {
      const int lo = wk[2 * d2], hi = 2 * d2 + 1 < p.D ? wk[2 * d2 + 1] : 0;
      wp[int64_t(k) * p.D2 + d2] = int32_t(uint32_t(uint16_t(lo)) | (uint32_t(uint16_t(hi)) << 16));
    }
  }
}

// Where step 3 writes: KB output rows of y starting at channel k0 of the item's image.
struct Out {
  float* y;  // y[n, g*Kg + k0, oh0*Q + jb] for the first panel
  int64_t row_stride;  // P*Q
  int T;               // valid pixels left from jb
  float scale;
  const float* bias;  // bias + g*Kg + k0, or null
};

// Step 3: KB channels x PB panels.
template <int KB, int PB>
void MicroKernel(const int32_t* panels, int D2, const int32_t* wp, const Out& o) {
  __m256i acc[KB][PB];
  for (int k = 0; k < KB; ++k)
    for (int v = 0; v < PB; ++v) acc[k][v] = _mm256_setzero_si256();
  for (int d2 = 0; d2 < D2; ++d2) {
    __m256i b[PB];
    for (int v = 0; v < PB; ++v) {
      b[v] = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(panels + (int64_t(v) * D2 + d2) * kPanel));
    }
    for (int k = 0; k < KB; ++k) {
      const __m256i wv = _mm256_set1_epi32(wp[int64_t(k) * D2 + d2]);
      for (int v = 0; v < PB; ++v) acc[k][v] = _mm256_add_epi32(acc[k][v], _mm256_madd_epi16(b[v], wv));
    }
  }
  const __m256 scale = _mm256_set1_ps(o.scale);
  for (int k = 0; k < KB; ++k) {
    const __m256 bias = _mm256_set1_ps(o.bias ? o.bias[k] : 0.f);
    for (int v = 0; v < PB; ++v) {
      const int left = o.T - v * kPanel;
      if (left <= 0) break;
      const __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[k][v]), scale, bias);
      float* dst = o.y + k * o.row_stride + v * kPanel;
      if (left >= kPanel) {
        _mm256_storeu_ps(dst, y);
      } else {
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(left),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_ps(dst, m, y);
      }
    }
  }
}

template <int KB>
void PanelBlocks(const Plan& p, const int32_t* colp, const int32_t* wp, Out o, int T) {
  const int panels = p.Tp / kPanel;
  for (int pb = 0; pb < panels; pb += 3) {
    o.T = T - pb * kPanel;
    if (o.T <= 0) break;
    const int32_t* src = colp + int64_t(pb) * p.D2 * kPanel;
    switch (std::min(3, panels - pb)) {
      case 3: MicroKernel<KB, 3>(src, p.D2, wp, o); break;
      case 2: MicroKernel<KB, 2>(src, p.D2, wp, o); break;
      default: MicroKernel<KB, 1>(src, p.D2, wp, o); break;
    }
    o.y += 3 * kPanel;
  }
}

struct Args {
  const IntConv2dShape* s;
  const Plan* p;
  const uint8_t* x;
  const int32_t* wp;
  float scale;
  const float* bias;
  float* y;
};

// One (image, group, tile) item with its slot's scratch.
template <bool kSigned>
void Item(const Args& a, int64_t item, int32_t* slot) {
  const IntConv2dShape& s = *a.s;
  const Plan& p = *a.p;
  const int tile = int(item % p.tiles), g = int(item / p.tiles % s.groups);
  const int n = int(item / p.tiles / s.groups);
  const int oh0 = tile * p.rows, oh1 = std::min(p.P, oh0 + p.rows), T = (oh1 - oh0) * p.Q;
  uint8_t* col8 = reinterpret_cast<uint8_t*>(slot);
  int32_t* colp = slot + p.col8_ints;
  Gather(s, p, a.x, n, g, oh0, oh1, col8);
  Pack<kSigned>(p, col8, colp);
  const int64_t PQ = int64_t(p.P) * p.Q;
  for (int k0 = 0; k0 < p.Kg; k0 += 4) {
    const int kc = g * p.Kg + k0;
    const Out o{a.y + (int64_t(n) * s.K + kc) * PQ + int64_t(oh0) * p.Q, PQ, T, a.scale,
                a.bias ? a.bias + kc : nullptr};
    const int32_t* wp = a.wp + int64_t(kc) * p.D2;
    switch (std::min(4, p.Kg - k0)) {
      case 4: PanelBlocks<4>(p, colp, wp, o, T); break;
      case 3: PanelBlocks<3>(p, colp, wp, o, T); break;
      case 2: PanelBlocks<2>(p, colp, wp, o, T); break;
      default: PanelBlocks<1>(p, colp, wp, o, T); break;
    }
  }
}

template <bool kSigned>
void Forward(const IntConv2dShape& s, const uint8_t* x, const int8_t* w, float scale,
             const float* bias, float* y, int32_t* workspace) {
  const Plan p = MakePlan(s);
  int32_t* wp = workspace;
  PackWeights(s, p, w, wp);
  const Args a{&s, &p, x, wp, scale, bias, y};
  int32_t* slots_base = workspace + int64_t(s.K) * p.D2;
  const int64_t items = int64_t(s.N) * s.groups * p.tiles;
  const int64_t slots = std::min<int64_t>(NumThreads(), items);
  // Slot i owns items [i*items/slots, (i+1)*items/slots) and scratch i: whichever thread runs
  // it, each output is one exact integer sum.
  ParallelFor(slots, 1, [&](int64_t s0, int64_t s1) {
    for (int64_t i = s0; i < s1; ++i) {
      int32_t* slot = slots_base + i * p.slot_ints();
      for (int64_t it = i * items / slots; it < (i + 1) * items / slots; ++it) {
        Item<kSigned>(a, it, slot);
      }
    }
  });
}

template <class X>
void Reference(const IntConv2dShape& s, const X* x, const int8_t* w, float scale,
               const float* bias, float* y) {
  const Plan p = MakePlan(s);
  for (int n = 0; n < s.N; ++n)
    for (int k = 0; k < s.K; ++k)
      for (int oh = 0; oh < p.P; ++oh)
        for (int ow = 0; ow < p.Q; ++ow) {
          const int g = k / p.Kg;
          int64_t acc = 0;
          for (int c = 0; c < p.Cg; ++c)
            for (int r = 0; r < s.R; ++r)
              for (int ks = 0; ks < s.S; ++ks) {
                const int ih = oh * s.stride_h - s.pad_h + r, iw = ow * s.stride_w - s.pad_w + ks;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                const int64_t xi = ((int64_t(n) * s.C + g * p.Cg + c) * s.H + ih) * s.W + iw;
                acc += int64_t(x[xi]) * w[((int64_t(k) * p.Cg + c) * s.R + r) * s.S + ks];
              }
          y[((int64_t(n) * s.K + k) * p.P + oh) * p.Q + ow] =
              std::fma(float(acc), scale, bias ? bias[k] : 0.f);
        }
}

}  // namespace

int64_t IntConv2dWorkspaceInts(const IntConv2dShape& s) {
  const Plan p = MakePlan(s);
  return int64_t(s.K) * p.D2 + int64_t(NumThreads()) * p.slot_ints();
}

void IntConv2dForward(const IntConv2dShape& s, const uint8_t* x, const int8_t* w, float scale,
                      const float* bias, float* y, int32_t* workspace) {
  Forward<false>(s, x, w, scale, bias, y, workspace);
}

void IntConv2dForward(const IntConv2dShape& s, const int8_t* x, const int8_t* w, float scale,
                      const float* bias, float* y, int32_t* workspace) {
  Forward<true>(s, reinterpret_cast<const uint8_t*>(x), w, scale, bias, y, workspace);
}

void IntConv2dForwardReference(const IntConv2dShape& s, const uint8_t* x, const int8_t* w,
                               float scale, const float* bias, float* y) {
  Reference(s, x, w, scale, bias, y);
}

void IntConv2dForwardReference(const IntConv2dShape& s, const int8_t* x, const int8_t* w,
                               float scale, const float* bias, float* y) {
  Reference(s, x, w, scale, bias, y);
}

}  // namespace kernels
}  // namespace quant
}  // namespace strata
