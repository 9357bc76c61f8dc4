// Naive seven-loop convolution references (double accumulation): the test oracles.
#include <cstdint>

#include "engine/kernels/conv2d.h"
#include "engine/kernels/conv2d_internal.h"

namespace strata {
namespace kernels {

void Conv2dForwardReference(const Conv2dShape& s, const float* x, const float* w, const float* bias,
                            float* y) {
  internal::CheckConv2dShape(s, "Conv2dForwardReference");
  const int P = s.P(), Q = s.Q(), Cg = s.C / s.groups, Kg = s.K / s.groups;
  for (int n = 0; n < s.N; ++n) {
    for (int k = 0; k < s.K; ++k) {
      const int c0 = k / Kg * Cg;
      for (int p = 0; p < P; ++p) {
        for (int q = 0; q < Q; ++q) {
          double acc = bias ? bias[k] : 0.0;
          for (int c = 0; c < Cg; ++c) {
            for (int r = 0; r < s.R; ++r) {
              const int h = p * s.stride_h - s.pad_h + r;
              if (h < 0 || h >= s.H) continue;
              for (int t = 0; t < s.S; ++t) {
                const int v = q * s.stride_w - s.pad_w + t;
                if (v < 0 || v >= s.W) continue;
                acc += double(x[((int64_t(n) * s.C + c0 + c) * s.H + h) * s.W + v]) *
                       w[((int64_t(k) * Cg + c) * s.R + r) * s.S + t];
              }
            }
          }
          y[((int64_t(n) * s.K + k) * P + p) * Q + q] = static_cast<float>(acc);
        }
      }
    }
  }
}

void Conv2dBackwardDataReference(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  internal::CheckConv2dShape(s, "Conv2dBackwardDataReference");
  const int P = s.P(), Q = s.Q(), Cg = s.C / s.groups, Kg = s.K / s.groups;
  for (int n = 0; n < s.N; ++n) {
    for (int c = 0; c < s.C; ++c) {
      const int g = c / Cg;
      for (int h = 0; h < s.H; ++h) {
        for (int v = 0; v < s.W; ++v) {
          double acc = 0;
          for (int k = g * Kg; k < (g + 1) * Kg; ++k) {
            for (int r = 0; r < s.R; ++r) {
              const int ph = h + s.pad_h - r;
              if (ph < 0 || ph % s.stride_h != 0 || ph / s.stride_h >= P) continue;
              for (int t = 0; t < s.S; ++t) {
                const int qw = v + s.pad_w - t;
                if (qw < 0 || qw % s.stride_w != 0 || qw / s.stride_w >= Q) continue;
                acc +=
                    double(
                        dy[((int64_t(n) * s.K + k) * P + ph / s.stride_h) * Q + qw / s.stride_w]) *
                    w[((int64_t(k) * Cg + c - g * Cg) * s.R + r) * s.S + t];
              }
            }
          }
          float& out = dx[((int64_t(n) * s.C + c) * s.H + h) * s.W + v];
          out = static_cast<float>(out + acc);
        }
      }
    }
  }
}

void Conv2dBackwardWeightReference(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                                   float* dbias) {
  internal::CheckConv2dShape(s, "Conv2dBackwardWeightReference");
  const int P = s.P(), Q = s.Q(), Cg = s.C / s.groups, Kg = s.K / s.groups;
  for (int k = 0; k < s.K; ++k) {
    const int c0 = k / Kg * Cg;
    for (int c = 0; c < Cg; ++c) {
      for (int r = 0; r < s.R; ++r) {
        for (int t = 0; t < s.S; ++t) {
          double acc = 0;
          for (int n = 0; n < s.N; ++n) {
            for (int p = 0; p < P; ++p) {
              const int h = p * s.stride_h - s.pad_h + r;
              if (h < 0 || h >= s.H) continue;
              for (int q = 0; q < Q; ++q) {
                const int v = q * s.stride_w - s.pad_w + t;
                if (v < 0 || v >= s.W) continue;
                acc += double(dy[((int64_t(n) * s.K + k) * P + p) * Q + q]) *
                       x[((int64_t(n) * s.C + c0 + c) * s.H + h) * s.W + v];
              }
            }
          }
          float& out = dw[((int64_t(k) * Cg + c) * s.R + r) * s.S + t];
          out = static_cast<float>(out + acc);
        }
      }
    }
    if (dbias) {
      double acc = 0;
      for (int n = 0; n < s.N; ++n) {
        for (int i = 0; i < P * Q; ++i) acc += dy[(int64_t(n) * s.K + k) * P * Q + i];
      }
      dbias[k] = static_cast<float>(dbias[k] + acc);
    }
  }
}

}  // namespace kernels
}  // namespace strata
