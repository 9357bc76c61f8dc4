// Integer convolution (see int_conv.h): a direct kernel over channel pairs, no im2col.
//
// Per work item (image n, group g, chunk of up to kChunkRows output rows):
//   1. pack the input rows the chunk reads into int32 "pairs" xp[c2][phase][row][j], each the
//      int16 codes of channels (2 c2, 2 c2 + 1) at padded row `row` and padded column
//      j * stride_w + phase (0 in the padding and for a missing odd channel). Splitting the
//      columns by phase makes the 8 pixels ow..ow+7 of one tap (r, s) contiguous for any
//      stride: padded column ow * stride_w + s is phase s % stride_w, j = ow + s / stride_w.
//   2. for 4 output channels x 2 vectors of 8 pixels (each within one output row), loop over the
//      taps t = (c2, r, s): load 8 pairs per vector, broadcast the weight pair
//      (w[k][2 c2][r][s], w[k][2 c2 + 1][r][s]), acc += _mm256_madd_epi16 (two products
//      summed per int32 lane). Then y = fma(float(acc), scale, bias).
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

constexpr int kVec = 8;             // pixels per vector (int32 lanes)
constexpr int kChunkRows = 16;      // output rows per work item
constexpr int kMaxDepth = 1 << 16;  // |acc| <= D * 128 * 255 < 2^31

// Sizes derived from the shape (none depends on the thread count).
struct Plan {
  int P, Q, Cg, Kg, C2;  // C2 channel pairs per group
  int stride_w;
  int Hs, Wj;        // packed rows per chunk, packed columns per (phase, row)
  int vecs_per_row;  // ceil(Q / 8)
  int chunks;        // per (image, group)
  int taps;          // C2 * R * S
  int64_t slab_ints() const { return int64_t(C2) * stride_w * Hs * Wj; }
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
  p.C2 = (p.Cg + 1) / 2;
  p.stride_w = s.stride_w;
  p.Hs = (std::min(kChunkRows, p.P) - 1) * s.stride_h + s.R;
  p.vecs_per_row = (p.Q + kVec - 1) / kVec;
  p.Wj = p.vecs_per_row * kVec + (s.S - 1) / s.stride_w;
  p.chunks = (p.P + kChunkRows - 1) / kChunkRows;
  p.taps = p.C2 * s.R * s.S;
  return p;
}

// Weight pairs wp[k][t] and tap offsets into a slab, t = (c2, r, s).
void PackWeights(const IntConv2dShape& s, const Plan& p, const int8_t* w, int32_t* wp,
                 int32_t* taps) {
  for (int k = 0; k < s.K; ++k) {
    for (int c2 = 0; c2 < p.C2; ++c2) {
      for (int r = 0; r < s.R; ++r) {
        for (int ks = 0; ks < s.S; ++ks) {
          const int c = 2 * c2;
          const int64_t i0 = ((int64_t(k) * p.Cg + c) * s.R + r) * s.S + ks;
          const int lo = w[i0], hi = c + 1 < p.Cg ? w[i0 + int64_t(s.R) * s.S] : 0;
          wp[int64_t(k) * p.taps + (c2 * s.R + r) * s.S + ks] =
              int32_t(uint32_t(uint16_t(lo)) | (uint32_t(uint16_t(hi)) << 16));
        }
      }
    }
  }
  for (int c2 = 0; c2 < p.C2; ++c2)
    for (int r = 0; r < s.R; ++r)
      for (int ks = 0; ks < s.S; ++ks) {
        taps[(c2 * s.R + r) * s.S + ks] =
            int32_t(((int64_t(c2) * s.stride_w + ks % s.stride_w) * p.Hs + r) * p.Wj +
                    ks / s.stride_w);
      }
}

// Phase columns [lo, hi) whose input column j * stride + phase - pad lies inside [0, W).
void ValidColumns(int W, int Wj, int stride, int pad, int phase, int* lo, int* hi) {
  *lo = phase >= pad ? 0 : (pad - phase + stride - 1) / stride;
  const int last = W - 1 + pad - phase;  // largest j * stride allowed
  *hi = last < 0 ? 0 : std::min(Wj, last / stride + 1);
  *lo = std::min(*lo, *hi);
}

// Step 1: the slab of padded rows [row0, row0 + Hs) of image n, group g (row0 in padded
// coordinates). Codes are sign- (kSigned) or zero-extended to int16. Rows and phases no tap
// reads (row % stride_h >= R, phase >= S) stay zero.
template <bool kSigned>
void PackSlab(const IntConv2dShape& s, const Plan& p, const uint8_t* x, int n, int g, int row0,
              int32_t* slab) {
  std::memset(slab, 0, p.slab_ints() * sizeof(int32_t));
  auto code = [](const uint8_t* q, int i) {
    return uint32_t(uint16_t(kSigned ? int32_t(int8_t(q[i])) : int32_t(q[i])));
  };
  const int64_t HW = int64_t(s.H) * s.W;
  for (int c2 = 0; c2 < p.C2; ++c2) {
    const uint8_t* even = x + (int64_t(n) * s.C + int64_t(g) * p.Cg + 2 * c2) * HW;
    const bool has_odd = 2 * c2 + 1 < p.Cg;
    for (int phase = 0; phase < std::min(s.stride_w, s.S); ++phase) {
      int lo, hi;
      ValidColumns(s.W, p.Wj, s.stride_w, s.pad_w, phase, &lo, &hi);
      for (int hr = 0; hr < p.Hs; ++hr) {
        const int ih = row0 + hr - s.pad_h;
        if (ih < 0 || ih >= s.H || hr % s.stride_h >= s.R) continue;
        const uint8_t* a = even + int64_t(ih) * s.W + phase - s.pad_w;
        const uint8_t* b = a + HW;
        int32_t* out = slab + ((int64_t(c2) * s.stride_w + phase) * p.Hs + hr) * p.Wj;
        if (has_odd) {
          for (int j = lo; j < hi; ++j)
            out[j] = int32_t(code(a, j * s.stride_w) | (code(b, j * s.stride_w) << 16));
        } else {
          for (int j = lo; j < hi; ++j) out[j] = int32_t(code(a, j * s.stride_w));
        }
      }
    }
  }
}

// Where step 2 writes one vector: y + (k * PQ) for each channel k of the block.
struct Vec {
  int64_t base;  // slab offset of its first pixel's tap (0, 0)
  float* y;      // output of channel k0, pixel (oh, ow0)
  int count;     // valid pixels (<= 8)
};

// Step 2: KB channels x PB vectors. The pragmas unroll the register-block loops so that acc
// lives in ymm registers (-O2 would otherwise keep it on the stack).
template <int KB, int PB>
void MicroKernel(const int32_t* slab, const int32_t* taps, int T, const int32_t* wp,
                 const Vec* vec, int64_t PQ, float scale, const float* bias) {
  __m256i acc[KB][PB];
#pragma GCC unroll 4
  for (int k = 0; k < KB; ++k) {
#pragma GCC unroll 2
    for (int v = 0; v < PB; ++v) acc[k][v] = _mm256_setzero_si256();
  }
  const int32_t* src[PB];
#pragma GCC unroll 2
  for (int v = 0; v < PB; ++v) src[v] = slab + vec[v].base;
  for (int t = 0; t < T; ++t) {
    __m256i b[PB];
#pragma GCC unroll 2
    for (int v = 0; v < PB; ++v)
      b[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src[v] + taps[t]));
#pragma GCC unroll 4
    for (int k = 0; k < KB; ++k) {
      const __m256i wv = _mm256_set1_epi32(wp[int64_t(k) * T + t]);
#pragma GCC unroll 2
      for (int v = 0; v < PB; ++v) {
        acc[k][v] = _mm256_add_epi32(acc[k][v], _mm256_madd_epi16(b[v], wv));
      }
    }
  }
  const __m256 sc = _mm256_set1_ps(scale);
  for (int k = 0; k < KB; ++k) {
    const __m256 bk = _mm256_set1_ps(bias ? bias[k] : 0.f);
    for (int v = 0; v < PB; ++v) {
      const __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[k][v]), sc, bk);
      float* dst = vec[v].y + k * PQ;
      if (vec[v].count == kVec) {
        _mm256_storeu_ps(dst, y);
      } else {
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(vec[v].count),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_ps(dst, m, y);
      }
    }
  }
}

struct Args {
  const IntConv2dShape* s;
  const Plan* p;
  const uint8_t* x;
  const int32_t* wp;
  const int32_t* taps;
  float scale;
  const float* bias;
  float* y;
};

// Vector v of a chunk starting at output row oh0 (row-major over rows, then 8-pixel groups);
// y points at channel k0 of the item's group.
Vec VecAt(const IntConv2dShape& s, const Plan& p, int oh0, int v, float* y_k0) {
  const int oh = oh0 + v / p.vecs_per_row, ow0 = (v % p.vecs_per_row) * kVec;
  return {int64_t(oh - oh0) * s.stride_h * p.Wj + ow0, y_k0 + int64_t(oh) * p.Q + ow0,
          std::min(kVec, p.Q - ow0)};
}

// Channels [k0, k0 + KB) of group g over every vector of the chunk, two vectors at a time.
template <int KB>
void ChannelBlock(const Args& a, int g, int k0, int oh0, int nvec, const int32_t* slab,
                  float* y_group) {
  const IntConv2dShape& s = *a.s;
  const Plan& p = *a.p;
  const int kc = g * p.Kg + k0;
  const int32_t* wp = a.wp + int64_t(kc) * p.taps;
  const float* bias = a.bias ? a.bias + kc : nullptr;
  const int64_t PQ = int64_t(p.P) * p.Q;
  float* y_k0 = y_group + int64_t(k0) * PQ;
  int v = 0;
  for (; v + 2 <= nvec; v += 2) {
    const Vec pair[2] = {VecAt(s, p, oh0, v, y_k0), VecAt(s, p, oh0, v + 1, y_k0)};
    MicroKernel<KB, 2>(slab, a.taps, p.taps, wp, pair, PQ, a.scale, bias);
  }
  if (v < nvec) {
    const Vec one = VecAt(s, p, oh0, v, y_k0);
    MicroKernel<KB, 1>(slab, a.taps, p.taps, wp, &one, PQ, a.scale, bias);
  }
}

// One (image, group, chunk of output rows) item, with its slot's slab.
template <bool kSigned>
void Item(const Args& a, int64_t item, int32_t* slab) {
  const IntConv2dShape& s = *a.s;
  const Plan& p = *a.p;
  const int chunk = int(item % p.chunks), g = int(item / p.chunks % s.groups);
  const int n = int(item / p.chunks / s.groups);
  const int oh0 = chunk * kChunkRows, oh1 = std::min(p.P, oh0 + kChunkRows);
  PackSlab<kSigned>(s, p, a.x, n, g, oh0 * s.stride_h, slab);
  const int nvec = (oh1 - oh0) * p.vecs_per_row;
  float* y_group = a.y + (int64_t(n) * s.K + int64_t(g) * p.Kg) * p.P * p.Q;
  for (int k0 = 0; k0 < p.Kg; k0 += 4) {
    switch (std::min(4, p.Kg - k0)) {
      case 4: ChannelBlock<4>(a, g, k0, oh0, nvec, slab, y_group); break;
      case 3: ChannelBlock<3>(a, g, k0, oh0, nvec, slab, y_group); break;
      case 2: ChannelBlock<2>(a, g, k0, oh0, nvec, slab, y_group); break;
      default: ChannelBlock<1>(a, g, k0, oh0, nvec, slab, y_group); break;
    }
  }
}

template <bool kSigned>
void Forward(const IntConv2dShape& s, const uint8_t* x, const int8_t* w, float scale,
             const float* bias, float* y, int32_t* workspace) {
  const Plan p = MakePlan(s);
  int32_t* wp = workspace;
  int32_t* taps = wp + int64_t(s.K) * p.taps;
  PackWeights(s, p, w, wp, taps);
  const Args a{&s, &p, x, wp, taps, scale, bias, y};
  int32_t* slabs = taps + p.taps;
  const int64_t items = int64_t(s.N) * s.groups * p.chunks;
  const int64_t slots = std::min<int64_t>(NumThreads(), items);
  // Slot i owns items [i*items/slots, (i+1)*items/slots) and slab i: whichever thread runs
  // it, each output is one exact integer sum.
  ParallelFor(slots, 1, [&](int64_t s0, int64_t s1) {
    for (int64_t i = s0; i < s1; ++i) {
      for (int64_t it = i * items / slots; it < (i + 1) * items / slots; ++it) {
        Item<kSigned>(a, it, slabs + i * p.slab_ints());
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
  return (int64_t(s.K) + 1) * p.taps + int64_t(NumThreads()) * p.slab_ints();
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
