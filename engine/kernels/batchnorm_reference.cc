// Batch-norm references in double precision: the test oracles (see batchnorm.h).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "engine/kernels/batchnorm.h"

namespace strata {
namespace kernels {
namespace {

double Act(double v, Activation act) {
  if (act == Activation::kReLU) return std::max(v, 0.0);
  if (act == Activation::kReLU6) return std::min(std::max(v, 0.0), 6.0);
  return v;
}

bool Passes(float y, Activation act) {
  if (act == Activation::kReLU) return y > 0.f;
  if (act == Activation::kReLU6) return y > 0.f && y < 6.f;
  return true;
}

}  // namespace

void BatchNormForwardTrainReference(const BatchNormShape& s, const float* x, const float* gamma,
                                    const float* beta, float eps, float momentum,
                                    float* running_mean, float* running_var, Activation act,
                                    float* y, float* save_mean, float* save_invstd) {
  const int64_t M = int64_t(s.N) * s.HW;
  for (int c = 0; c < s.C; ++c) {
    double sum = 0, sq = 0;
    for (int n = 0; n < s.N; ++n) {
      for (int i = 0; i < s.HW; ++i) sum += x[(int64_t(n) * s.C + c) * s.HW + i];
    }
    const double mean = sum / M;
    for (int n = 0; n < s.N; ++n) {
      for (int i = 0; i < s.HW; ++i) {
        const double d = x[(int64_t(n) * s.C + c) * s.HW + i] - mean;
        sq += d * d;
      }
    }
    const double var = sq / M, invstd = 1.0 / std::sqrt(var + eps);
    const double g = gamma ? gamma[c] : 1.0, b = beta ? beta[c] : 0.0;
    for (int n = 0; n < s.N; ++n) {
      for (int i = 0; i < s.HW; ++i) {
        const int64_t o = (int64_t(n) * s.C + c) * s.HW + i;
        y[o] = static_cast<float>(Act(g * (x[o] - mean) * invstd + b, act));
      }
    }
    save_mean[c] = static_cast<float>(mean);
    save_invstd[c] = static_cast<float>(invstd);
    if (running_mean) running_mean[c] = float((1.0 - momentum) * running_mean[c] + momentum * mean);
    if (running_var) {
      running_var[c] = float((1.0 - momentum) * running_var[c] + momentum * var * M / (M - 1));
    }
  }
}

void BatchNormBackwardReference(const BatchNormShape& s, const float* x, const float* y,
                                const float* dy, const float* gamma, const float* save_mean,
                                const float* save_invstd, Activation act, float* dx, float* dgamma,
                                float* dbeta) {
  const double M = double(s.N) * s.HW;
  for (int c = 0; c < s.C; ++c) {
    const double mean = save_mean[c], invstd = save_invstd[c], g = gamma ? gamma[c] : 1.0;
    double s_dy = 0, s_dyxhat = 0;
    for (int n = 0; n < s.N; ++n) {
      for (int i = 0; i < s.HW; ++i) {
        const int64_t o = (int64_t(n) * s.C + c) * s.HW + i;
        const double d = (act == Activation::kNone || Passes(y[o], act)) ? dy[o] : 0.0;
        s_dy += d;
        s_dyxhat += d * (x[o] - mean) * invstd;
      }
    }
    for (int n = 0; n < s.N; ++n) {
      for (int i = 0; i < s.HW; ++i) {
        const int64_t o = (int64_t(n) * s.C + c) * s.HW + i;
        const double d = (act == Activation::kNone || Passes(y[o], act)) ? dy[o] : 0.0;
        const double xhat = (x[o] - mean) * invstd;
        dx[o] = static_cast<float>(dx[o] + g * invstd * (d - s_dy / M - xhat * s_dyxhat / M));
      }
    }
    if (dgamma) dgamma[c] = static_cast<float>(dgamma[c] + s_dyxhat);
    if (dbeta) dbeta[c] = static_cast<float>(dbeta[c] + s_dy);
  }
}

}  // namespace kernels
}  // namespace strata
