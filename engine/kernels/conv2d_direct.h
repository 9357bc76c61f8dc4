// Private to engine/kernels: shared pieces of the direct convolution kernels.
//
// The direct kernels vectorize over 8 consecutive output columns of one output row (an
// "output vector") and block the register tile over up to 4 output channels x 3 output
// vectors (12 AVX2 accumulators; Zen 4 needs >= 8 independent FMA chains). Inputs are first
// copied, per image and thread, into a zero-padded buffer, so the inner loops have no bounds
// checks. For stride > 1 that buffer is also split by column phase (column i*stride + ph at
// [ph][i]), so the taps of 8 strided outputs are again 8 contiguous floats.
#ifndef STRATA_ENGINE_KERNELS_CONV2D_DIRECT_H_
#define STRATA_ENGINE_KERNELS_CONV2D_DIRECT_H_

#include <immintrin.h>

#include <cstdint>

#include "engine/kernels/conv2d.h"

namespace strata {
namespace kernels {
namespace internal {

constexpr int kLanes = 8;   // floats per AVX2 vector
constexpr int kTileK = 4;   // output channels per register tile
constexpr int kTileV = 3;   // output vectors per register tile
constexpr int kSlack = 16;  // floats past a buffer's end that full-vector loads may touch

inline int64_t RoundUp(int64_t n, int64_t m) { return (n + m - 1) / m * m; }
inline int CeilDiv(int a, int b) { return (a + b - 1) / b; }

// Zero-padded, column-phase-split copy of one image (all C channels) for forward and
// backward-weight. Element (c, row, col) lives at c*plane + row*row_pitch + (col % sw)*half
// + col / sw, where row = h + pad_h and col = w + pad_w.
struct PaddedInput {
  int rows = 0, phases = 1, half = 0;
  int64_t row_pitch = 0, plane = 0;
};
PaddedInput MakePaddedInput(const Conv2dShape& s);
// Floats of the buffer (C planes plus slack).
int64_t PaddedInputFloats(const Conv2dShape& s);
void FillPaddedInput(const Conv2dShape& s, const PaddedInput& L, const float* x, float* buf);
// Offset of tap (r, t) within a channel plane, for taps[r*S + t].
void InputTapOffsets(const Conv2dShape& s, const PaddedInput& L, int64_t* taps);
// flat[c*ntaps + t] = c*plane + taps[t] for c < channels.
void FlattenOffsets(const int64_t* taps, int ntaps, int channels, int64_t plane, int64_t* flat);

// One register tile: out[k][v] (+)= sum over i < steps of
//   w[i*4 + k] * in[offsets[i] + in_off[v] + lane]
// for k < kk <= 4 output channels and v < nv <= 3 output vectors, where step i is one
// (input channel, tap) pair: offsets[c*ntaps + t] = c*plane + tap offset. The sum runs in
// step order in one FMA chain per output, whatever the caller's split: the order behind the
// bit-identical results.
struct TileArgs {
  const float* in = nullptr;
  const int64_t* offsets = nullptr;
  int steps = 0;
  const float* w = nullptr;  // packed [steps][4] for this block of output channels
  float* out = nullptr;      // output at the block's first channel
  int64_t out_plane = 0;
  const float* bias = nullptr;  // kk values, or null for 0
  bool accumulate = false;      // out += tile, else out = tile
};
struct TileVectors {
  int count = 0;
  int64_t in_off[kTileV];
  int64_t out_off[kTileV];
  int lanes[kTileV];  // valid lanes of each output vector (1..8)
};
void RunTile(int kk, const TileArgs& a, const TileVectors& v);

// Backward-weight for K/G >= 8, one image: partial[g][c*R*S + r*S + t][k] (k padded to a
// multiple of 8) += sum over p, q of dy[g*Kg + k][p][q] * buf(c, tap, p, q). dyt is scratch
// of P*Q*RoundUp(K/G, 8) floats; next_x (or null) is prefetched.
void WideWeightImage(const Conv2dShape& s, const PaddedInput& L, const float* buf,
                     const int64_t* taps, const float* dy, float* dyt, float* partial,
                     const float* next_x);

// Workspace of each direct pass (DirectWorkspaceFloats is their maximum).
int64_t DirectForwardWorkspaceFloats(const Conv2dShape& s, int slots);
int64_t DirectDataWorkspaceFloats(const Conv2dShape& s, int slots);
int64_t DirectWeightWorkspaceFloats(const Conv2dShape& s, int slots);

// Mask of the first `lanes` lanes, for partial output vectors.
inline __m256i LaneMask(int lanes) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// dst[0, lead) = 0, dst[lead, lead + n) = src[0, n), dst[lead + n, width) = 0: one padded
// row, with inline vector code (the library calls cost more than the copy on 32-float rows).
inline void PadRow(const float* src, int n, int lead, int width, float* dst) {
  const __m256 zero = _mm256_setzero_ps();
  int i = 0;
  for (; i + kLanes <= lead; i += kLanes) _mm256_storeu_ps(dst + i, zero);
  for (; i < lead; ++i) dst[i] = 0.f;
  float* d = dst + lead;
  int j = 0;
  for (; j + kLanes <= n; j += kLanes) _mm256_storeu_ps(d + j, _mm256_loadu_ps(src + j));
  for (; j < n; ++j) d[j] = src[j];
  for (i = lead + n; i + kLanes <= width; i += kLanes) _mm256_storeu_ps(dst + i, zero);
  for (; i < width; ++i) dst[i] = 0.f;
}

// Prefetches (into L2) the part-th of `parts` slices of the n floats at p: called while an
// image is computed, it streams in the next image, which the buffer fill would otherwise
// wait for (measured: ~14 % of a 16-channel pass went to that wait).
inline void PrefetchSlice(const float* p, int64_t n, int64_t part, int64_t parts) {
  if (!p) return;
  const int64_t lines = (n + 15) / 16;
  for (int64_t l = lines * part / parts; l < lines * (part + 1) / parts; ++l) {
    _mm_prefetch(reinterpret_cast<const char*>(p + l * 16), _MM_HINT_T1);
  }
}

// Horizontal sum in a fixed order.
inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace internal
}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_CONV2D_DIRECT_H_
