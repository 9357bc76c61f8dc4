// Public convolution entry points: argument checks, algorithm choice, and the batch split
// shared by the direct and the im2col + GEMM algorithms.
#include "engine/kernels/conv2d.h"

#include <algorithm>

#include "engine/check.h"
#include "engine/kernels/conv2d_internal.h"
#include "engine/kernels/dynamic_for.h"
#include "engine/parallel.h"

namespace strata {
namespace kernels {
namespace internal {

void CheckConv2dShape(const Conv2dShape& s, const char* op) {
  CHECK(s.N > 0 && s.C > 0 && s.H > 0 && s.W > 0 && s.K > 0 && s.R > 0 && s.S > 0)
      << op << ": sizes must be positive: N=" << s.N << " C=" << s.C << " H=" << s.H << " W=" << s.W
      << " K=" << s.K << " R=" << s.R << " S=" << s.S;
  CHECK(s.stride_h > 0 && s.stride_w > 0 && s.pad_h >= 0 && s.pad_w >= 0)
      << op << ": stride " << s.stride_h << "x" << s.stride_w << " pad " << s.pad_h << "x"
      << s.pad_w;
  CHECK_GT(s.groups, 0) << op << ": groups";
  CHECK_EQ(s.C % s.groups, 0) << op << ": input channels C not divisible by groups " << s.groups;
  CHECK_EQ(s.K % s.groups, 0) << op << ": output channels K not divisible by groups " << s.groups;
  CHECK_GE(s.H + 2 * s.pad_h, s.R) << op << ": kernel taller than padded input";
  CHECK_GE(s.W + 2 * s.pad_w, s.S) << op << ": kernel wider than padded input";
}

// Measured (benchmarks/engine_conv_benchmark.cc, 1 thread, batch 128/32): the direct
// kernels win on 3x3 layers up to 128 channels (ResNet-20 stages 1.3-2x faster than im2col
// + OpenBLAS, ResNet-18 layer 2 by ~10 %); OpenBLAS wins from 256 channels on (layer 4:
// 1.4-2.6x) and on 1x1 convolutions, which are plain GEMMs (stride-2 shortcuts: 1.5-4x).
ConvAlgo ChooseConvAlgo(const Conv2dShape& s) {
  const int Kg = s.K / s.groups, Cg = s.C / s.groups;
  if (s.R == 1 && s.S == 1 && Kg >= 8) return ConvAlgo::kGemm;
  return (Kg <= 128 && Cg <= 128) ? ConvAlgo::kDirect : ConvAlgo::kGemm;
}

int NumSlots(int N) { return std::max(1, std::min(NumThreads(), N)); }

// Chunks are handed out dynamically (ForEachSlot): 16 keep both threads busy when one is
// slowed by another process; large filters use 6 to bound the workspace.
int WeightChunks(const Conv2dShape& s) { return std::min(s.N, s.WSize() <= (1 << 18) ? 16 : 6); }

int64_t WeightPartialFloats(const Conv2dShape& s) { return s.WSize() + s.K; }

void CombineWeightChunks(const Conv2dShape& s, const float* partials, int chunks, float* dw,
                         float* dbias, int64_t stride) {
  const int64_t wsize = s.WSize();
  const int64_t total = dbias ? wsize + s.K : wsize;
  ParallelForRef(total, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float sum = partials[i];
      for (int c = 1; c < chunks; ++c) sum += partials[c * stride + i];
      if (i < wsize) {
        dw[i] += sum;
      } else {
        dbias[i - wsize] += sum;
      }
    }
  });
}

void ChunkBiasGradient(const Conv2dShape& s, const float* dy, int n_begin, int n_end,
                       float* partial_bias) {
  const int64_t PQ = int64_t(s.P()) * s.Q();
  for (int k = 0; k < s.K; ++k) {
    float chunk_sum = 0.f;
    for (int n = n_begin; n < n_end; ++n) {
      const float* d = dy + (int64_t(n) * s.K + k) * PQ;
      float image_sum = 0.f;
      for (int64_t i = 0; i < PQ; ++i) image_sum += d[i];
      chunk_sum += image_sum;
    }
    partial_bias[k] = chunk_sum;
  }
}

}  // namespace internal

using internal::ConvAlgo;

int64_t Conv2dWorkspaceFloats(const Conv2dShape& s) {
  internal::CheckConv2dShape(s, "Conv2dWorkspaceFloats");
  const int slots = internal::NumSlots(s.N);
  return internal::ChooseConvAlgo(s) == ConvAlgo::kDirect
             ? internal::DirectWorkspaceFloats(s, slots)
             : internal::GemmWorkspaceFloats(s, slots);
}

void Conv2dForward(const Conv2dShape& s, const float* x, const float* w, const float* bias,
                   float* y, float* workspace) {
  internal::CheckConv2dShape(s, "Conv2dForward");
  if (internal::ChooseConvAlgo(s) == ConvAlgo::kDirect) {
    internal::DirectForward(s, x, w, bias, y, workspace);
  } else {
    internal::GemmForward(s, x, w, bias, y, workspace);
  }
}

void Conv2dBackwardData(const Conv2dShape& s, const float* dy, const float* w, float* dx,
                        float* workspace, bool accumulate) {
  internal::CheckConv2dShape(s, "Conv2dBackwardData");
  if (internal::ChooseConvAlgo(s) == ConvAlgo::kDirect) {
    internal::DirectBackwardData(s, dy, w, dx, workspace, accumulate);
  } else {
    internal::GemmBackwardData(s, dy, w, dx, workspace, accumulate);
  }
}

void Conv2dBackwardWeight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                          float* dbias, float* workspace) {
  internal::CheckConv2dShape(s, "Conv2dBackwardWeight");
  if (internal::ChooseConvAlgo(s) == ConvAlgo::kDirect) {
    internal::DirectBackwardWeight(s, x, dy, dw, dbias, workspace);
  } else {
    internal::GemmBackwardWeight(s, x, dy, dw, dbias, workspace);
  }
}

}  // namespace kernels
}  // namespace strata
