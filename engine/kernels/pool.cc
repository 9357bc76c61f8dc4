// Pooling kernels (see pool.h). One task per (n, c) plane: each output and each dx element
// is written by one thread in a fixed order, so results do not depend on the thread count.
#include "engine/kernels/pool.h"

#include <cstdint>
#include <limits>

#include "engine/check.h"
#include "engine/kernels/dynamic_for.h"
#include "engine/parallel.h"

namespace strata {
namespace kernels {
namespace {

void CheckPoolShape(const PoolShape& s, const char* op) {
  CHECK(s.N > 0 && s.C > 0 && s.H > 0 && s.W > 0 && s.R > 0 && s.S > 0)
      << op << ": sizes must be positive: N=" << s.N << " C=" << s.C << " H=" << s.H << " W=" << s.W
      << " R=" << s.R << " S=" << s.S;
  CHECK(s.stride_h > 0 && s.stride_w > 0) << op << ": stride " << s.stride_h << "x" << s.stride_w;
  // PyTorch's rule: padding at most half the window, so every window holds an input.
  CHECK(2 * s.pad_h <= s.R && 2 * s.pad_w <= s.S && s.pad_h >= 0 && s.pad_w >= 0)
      << op << ": pad " << s.pad_h << "x" << s.pad_w << " vs window " << s.R << "x" << s.S;
  CHECK(s.P() > 0 && s.Q() > 0) << op << ": empty output " << s.P() << "x" << s.Q();
}

// Runs fn(plane index) over all N*C planes in parallel.
template <typename Fn>
void ForEachPlane(int64_t planes, Fn fn) {
  internal::ParallelForRef(planes, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) fn(i);
  });
}

// Max over the window of output (p, q) in one plane; writes the flat argmax.
float WindowMax(const PoolShape& s, const float* x, int p, int q, int32_t* argmax) {
  float best = -std::numeric_limits<float>::infinity();
  int32_t at = -1;
  for (int r = 0; r < s.R; ++r) {
    const int h = p * s.stride_h - s.pad_h + r;
    if (h < 0 || h >= s.H) continue;
    for (int t = 0; t < s.S; ++t) {
      const int w = q * s.stride_w - s.pad_w + t;
      if (w < 0 || w >= s.W) continue;
      const float v = x[h * s.W + w];
      if (v > best || at < 0) best = v, at = h * s.W + w;  // first maximum in scan order
    }
  }
  *argmax = at;
  return best;
}

// One plane of 2x2 / stride-2 / unpadded max pooling (VGG's pools): WindowMax without
// bounds checks. The compare chain runs in WindowMax's scan order with its strict '>', so
// the first maximum wins and a NaN behaves the same (bit-identical values and argmax).
void MaxPool2x2Plane(const PoolShape& s, const float* x, float* y, int32_t* argmax) {
  const int P = s.P(), Q = s.Q(), W = s.W;
  for (int p = 0; p < P; ++p) {
    const float* r0 = x + 2 * p * W;
    const float* r1 = r0 + W;
    const int32_t at0 = 2 * p * W;
    float* yp = y + p * Q;
    int32_t* ap = argmax + p * Q;
#pragma omp simd
    for (int q = 0; q < Q; ++q) {
      // Selects, not branches: random-ish data would mispredict half of them.
      const int c = 2 * q;
      float best = r0[c];
      int32_t at = at0 + c;
      bool more = r0[c + 1] > best;
      best = more ? r0[c + 1] : best;
      at = more ? at0 + c + 1 : at;
      more = r1[c] > best;
      best = more ? r1[c] : best;
      at = more ? at0 + W + c : at;
      more = r1[c + 1] > best;
      best = more ? r1[c + 1] : best;
      at = more ? at0 + W + c + 1 : at;
      yp[q] = best;
      ap[q] = at;
    }
  }
}

float WindowSum(const PoolShape& s, const float* x, int p, int q) {
  float sum = 0.f;
  for (int r = 0; r < s.R; ++r) {
    const int h = p * s.stride_h - s.pad_h + r;
    if (h < 0 || h >= s.H) continue;
    for (int t = 0; t < s.S; ++t) {
      const int w = q * s.stride_w - s.pad_w + t;
      if (w >= 0 && w < s.W) sum += x[h * s.W + w];
    }
  }
  return sum;
}

}  // namespace

void MaxPool2dForward(const PoolShape& s, const float* x, float* y, int32_t* argmax) {
  CheckPoolShape(s, "MaxPool2dForward");
  const int P = s.P(), Q = s.Q();
  const bool two_by_two = s.R == 2 && s.S == 2 && s.stride_h == 2 && s.stride_w == 2 &&
                          s.pad_h == 0 && s.pad_w == 0;
  ForEachPlane(int64_t(s.N) * s.C, [&](int64_t i) {
    const float* xp = x + i * s.H * s.W;
    if (two_by_two) {
      MaxPool2x2Plane(s, xp, y + i * P * Q, argmax + i * P * Q);
      return;
    }
    for (int p = 0; p < P; ++p) {
      for (int q = 0; q < Q; ++q) {
        const int64_t o = (i * P + p) * Q + q;
        y[o] = WindowMax(s, xp, p, q, argmax + o);
      }
    }
  });
}

void MaxPool2dBackward(const PoolShape& s, const float* dy, const int32_t* argmax, float* dx) {
  CheckPoolShape(s, "MaxPool2dBackward");
  const int64_t PQ = int64_t(s.P()) * s.Q(), HW = int64_t(s.H) * s.W;
  ForEachPlane(int64_t(s.N) * s.C, [&](int64_t i) {
    for (int64_t o = 0; o < PQ; ++o) {
      const int32_t at = argmax[i * PQ + o];
      DCHECK(at >= 0 && at < HW);
      dx[i * HW + at] += dy[i * PQ + o];
    }
  });
}

void AvgPool2dForward(const PoolShape& s, const float* x, float* y) {
  CheckPoolShape(s, "AvgPool2dForward");
  const int P = s.P(), Q = s.Q();
  const float inv = 1.f / float(s.R * s.S);
  ForEachPlane(int64_t(s.N) * s.C, [&](int64_t i) {
    const float* xp = x + i * s.H * s.W;
    for (int p = 0; p < P; ++p) {
      for (int q = 0; q < Q; ++q) y[(i * P + p) * Q + q] = WindowSum(s, xp, p, q) * inv;
    }
  });
}

void AvgPool2dBackward(const PoolShape& s, const float* dy, float* dx) {
  CheckPoolShape(s, "AvgPool2dBackward");
  const int P = s.P(), Q = s.Q();
  const float inv = 1.f / float(s.R * s.S);
  ForEachPlane(int64_t(s.N) * s.C, [&](int64_t i) {
    float* dxp = dx + i * s.H * s.W;
    for (int p = 0; p < P; ++p) {
      for (int q = 0; q < Q; ++q) {
        const float g = dy[(i * P + p) * Q + q] * inv;
        for (int r = 0; r < s.R; ++r) {
          const int h = p * s.stride_h - s.pad_h + r;
          if (h < 0 || h >= s.H) continue;
          for (int t = 0; t < s.S; ++t) {
            const int w = q * s.stride_w - s.pad_w + t;
            if (w >= 0 && w < s.W) dxp[h * s.W + w] += g;
          }
        }
      }
    }
  });
}

void GlobalAvgPoolForward(int N, int C, int HW, const float* x, float* y) {
  CHECK(N > 0 && C > 0 && HW > 0) << "GlobalAvgPoolForward: N=" << N << " C=" << C << " HW=" << HW;
  ForEachPlane(int64_t(N) * C, [&](int64_t i) {
    double sum = 0;
    for (int j = 0; j < HW; ++j) sum += x[i * HW + j];
    y[i] = float(sum / HW);
  });
}

void GlobalAvgPoolBackward(int N, int C, int HW, const float* dy, float* dx) {
  CHECK(N > 0 && C > 0 && HW > 0) << "GlobalAvgPoolBackward: N=" << N << " C=" << C << " HW=" << HW;
  ForEachPlane(int64_t(N) * C, [&](int64_t i) {
    const float g = dy[i] / float(HW);
    for (int j = 0; j < HW; ++j) dx[i * HW + j] += g;
  });
}

void MaxPool2dForwardReference(const PoolShape& s, const float* x, float* y, int32_t* argmax) {
  const int P = s.P(), Q = s.Q();
  for (int64_t i = 0; i < int64_t(s.N) * s.C; ++i) {
    for (int p = 0; p < P; ++p) {
      for (int q = 0; q < Q; ++q) {
        float best = 0.f;
        int32_t at = -1;
        for (int h = 0; h < s.H; ++h) {
          for (int w = 0; w < s.W; ++w) {
            const int r = h - (p * s.stride_h - s.pad_h), t = w - (q * s.stride_w - s.pad_w);
            if (r < 0 || r >= s.R || t < 0 || t >= s.S) continue;
            const float v = x[i * s.H * s.W + h * s.W + w];
            if (at < 0 || v > best) best = v, at = h * s.W + w;
          }
        }
        y[(i * P + p) * Q + q] = best;
        argmax[(i * P + p) * Q + q] = at;
      }
    }
  }
}

void AvgPool2dForwardReference(const PoolShape& s, const float* x, float* y) {
  const int P = s.P(), Q = s.Q();
  for (int64_t i = 0; i < int64_t(s.N) * s.C; ++i) {
    for (int p = 0; p < P; ++p) {
      for (int q = 0; q < Q; ++q) {
        double sum = 0;
        for (int h = 0; h < s.H; ++h) {
          for (int w = 0; w < s.W; ++w) {
            const int r = h - (p * s.stride_h - s.pad_h), t = w - (q * s.stride_w - s.pad_w);
            if (r >= 0 && r < s.R && t >= 0 && t < s.S) sum += x[i * s.H * s.W + h * s.W + w];
          }
        }
        y[(i * P + p) * Q + q] = float(sum / (s.R * s.S));
      }
    }
  }
}

}  // namespace kernels
}  // namespace strata
