#include "engine/kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/parallel.h"

namespace strata {
namespace kernels {
namespace {

constexpr int64_t kRowGrain = 16;

// Max of a row and log sum exp(x - max) (double accumulation).
void RowLogSumExp(int64_t K, const float* x, float* max_out, double* lse_out) {
  float mx = x[0];
  for (int64_t k = 1; k < K; ++k) mx = std::max(mx, x[k]);
  double s = 0;
  for (int64_t k = 0; k < K; ++k) s += std::exp(double(x[k]) - mx);
  *max_out = mx;
  *lse_out = std::log(s);
}

}  // namespace

void SoftmaxForward(int64_t M, int64_t K, const float* x, float* y) {
  ParallelFor(M, kRowGrain, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      float mx;
      double lse;
      RowLogSumExp(K, x + m * K, &mx, &lse);
      for (int64_t k = 0; k < K; ++k)
        y[m * K + k] = float(std::exp(double(x[m * K + k]) - mx - lse));
    }
  });
}

void SoftmaxBackward(int64_t M, int64_t K, const float* y, const float* dy, float* dx) {
  ParallelFor(M, kRowGrain, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      const float* yr = y + m * K;
      const float* dr = dy + m * K;
      double dot = 0;
      for (int64_t k = 0; k < K; ++k) dot += double(dr[k]) * yr[k];
      for (int64_t k = 0; k < K; ++k) dx[m * K + k] += float(yr[k] * (dr[k] - dot));
    }
  });
}

void LogSoftmaxForward(int64_t M, int64_t K, const float* x, float* y) {
  ParallelFor(M, kRowGrain, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      float mx;
      double lse;
      RowLogSumExp(K, x + m * K, &mx, &lse);
      for (int64_t k = 0; k < K; ++k) y[m * K + k] = float(double(x[m * K + k]) - mx - lse);
    }
  });
}

void LogSoftmaxBackward(int64_t M, int64_t K, const float* y, const float* dy, float* dx) {
  ParallelFor(M, kRowGrain, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += dy[m * K + k];
      for (int64_t k = 0; k < K; ++k) {
        dx[m * K + k] += float(dy[m * K + k] - std::exp(double(y[m * K + k])) * s);
      }
    }
  });
}

double CrossEntropyForward(int64_t M, int64_t K, const float* x, const int32_t* label,
                           float* prob) {
  std::vector<double> row_loss(M);
  ParallelFor(M, kRowGrain, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      float mx;
      double lse;
      RowLogSumExp(K, x + m * K, &mx, &lse);
      for (int64_t k = 0; k < K; ++k) {
        prob[m * K + k] = float(std::exp(double(x[m * K + k]) - mx - lse));
      }
      row_loss[m] = -(double(x[m * K + label[m]]) - mx - lse);
    }
  });
  double sum = 0;
  for (double l : row_loss) sum += l;
  return M > 0 ? sum / M : 0.0;
}

void CrossEntropyBackward(int64_t M, int64_t K, const float* prob, const int32_t* label,
                          float dloss, float* dx) {
  const float scale = M > 0 ? dloss / M : 0.f;
  ParallelFor(M, kRowGrain, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      for (int64_t k = 0; k < K; ++k) {
        dx[m * K + k] += scale * (prob[m * K + k] - (k == label[m] ? 1.f : 0.f));
      }
    }
  });
}

void SoftmaxForwardReference(int64_t M, int64_t K, const float* x, float* y) {
  for (int64_t m = 0; m < M; ++m) {
    double mx = x[m * K], s = 0;
    for (int64_t k = 0; k < K; ++k) mx = std::max(mx, double(x[m * K + k]));
    for (int64_t k = 0; k < K; ++k) s += std::exp(x[m * K + k] - mx);
    for (int64_t k = 0; k < K; ++k) y[m * K + k] = float(std::exp(x[m * K + k] - mx) / s);
  }
}

double CrossEntropyForwardReference(int64_t M, int64_t K, const float* x, const int32_t* label) {
  double total = 0;
  for (int64_t m = 0; m < M; ++m) {
    double mx = x[m * K], s = 0;
    for (int64_t k = 0; k < K; ++k) mx = std::max(mx, double(x[m * K + k]));
    for (int64_t k = 0; k < K; ++k) s += std::exp(x[m * K + k] - mx);
    total += -(x[m * K + label[m]] - mx - std::log(s));
  }
  return M > 0 ? total / M : 0.0;
}

}  // namespace kernels
}  // namespace strata
