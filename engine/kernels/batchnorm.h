// Batch normalization over (N, C, HW) tensors, optionally fused with ReLU / ReLU6, with
// naive references. Ioffe & Szegedy 2015; statistics as PyTorch's BatchNorm2d:
//   mean_c = (1/M) sum x, var_c = (1/M) sum (x - mean_c)^2 (biased, used to normalize),
//   M = N*HW; running_mean = (1-m) running_mean + m mean_c;
//   running_var = (1-m) running_var + m var_c * M/(M-1) (unbiased).
//   y = act(gamma_c * (x - mean_c) * invstd_c + beta_c), invstd_c = 1/sqrt(var_c + eps).
//
// Contract:
//  * Forward overwrites y (y may alias x for the eval form only).
//  * Backward ACCUMULATES into dx, dgamma, dbeta. With a fused activation, `y` is the
//    forward output and masks dy (ReLU: y > 0; ReLU6: 0 < y < 6).
//  * Per-channel reductions have a fixed order: results are bit-identical for any thread
//    count. Allocates nothing; internally parallel.
#ifndef STRATA_ENGINE_KERNELS_BATCHNORM_H_
#define STRATA_ENGINE_KERNELS_BATCHNORM_H_

namespace strata {
namespace kernels {

enum class Activation { kNone = 0, kReLU = 1, kReLU6 = 2 };

struct BatchNormShape {
  int N = 1, C = 1, HW = 1;
};

// Training: batch statistics; writes save_mean/save_invstd (C each) for the backward and
// updates running_mean/running_var (may be null to skip the update).
void BatchNormForwardTrain(const BatchNormShape& s, const float* x, const float* gamma,
                           const float* beta, float eps, float momentum, float* running_mean,
                           float* running_var, Activation act, float* y, float* save_mean,
                           float* save_invstd);
// Evaluation: running statistics.
void BatchNormForwardEval(const BatchNormShape& s, const float* x, const float* gamma,
                          const float* beta, const float* running_mean, const float* running_var,
                          float eps, Activation act, float* y);
// Backward of the training form (batch statistics). gamma null means gamma = 1 (no affine);
// dgamma/dbeta may be null when not needed.
void BatchNormBackward(const BatchNormShape& s, const float* x, const float* y, const float* dy,
                       const float* gamma, const float* save_mean, const float* save_invstd,
                       Activation act, float* dx, float* dgamma, float* dbeta);

void BatchNormForwardTrainReference(const BatchNormShape& s, const float* x, const float* gamma,
                                    const float* beta, float eps, float momentum,
                                    float* running_mean, float* running_var, Activation act,
                                    float* y, float* save_mean, float* save_invstd);
void BatchNormBackwardReference(const BatchNormShape& s, const float* x, const float* y,
                                const float* dy, const float* gamma, const float* save_mean,
                                const float* save_invstd, Activation act, float* dx,
                                float* dgamma, float* dbeta);

}  // namespace kernels
}  // namespace strata

#endif  // STRATA_ENGINE_KERNELS_BATCHNORM_H_
