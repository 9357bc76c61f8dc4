// strata's engine: the one public header of //engine.
//
// Overview
//   status.h      Status / StatusOr for everything the outside world can break
//   check.h       CHECK macros for programmer errors
//   rng.h         counter-based Philox RNG: every draw = f(seed, stream, index)
//   parallel.h    persistent OpenMP pool; thread-count-independent loops and reductions
//   file_util.h   atomic writes, reads, SHA-256, command-line paths under `bazel run`
//   tensor.h      Tensor: cheap handle to pooled, contiguous float32 (NCHW) storage, with
//                 an optional .grad and the autograd node that produced it
//   autograd.h    tape-based reverse mode: Backward (several roots, seeds), Grad (per-loss
//                 gradients without touching .grad), NoGradGuard, Detach; the hooks
//                 (NeedsRecord / Record / GradSlots) for writing new ops
//   ops.h         differentiable ops: conv2d, batch norm (+ fused ReLU/ReLU6), relu, pools,
//                 linear, broadcasting arithmetic, sqrt/abs/exp/log/clamp, straight-through
//                 round/floor, dropout, sum/mean, softmax/log-softmax, cross-entropy, reshape
//   nn.h          nn::Conv2d / nn::BatchNorm2d / nn::Linear with state_dict-style names,
//                 ParameterSet, PyTorch-default (Kaiming) init drawn from Philox
//   optim.h       Sgd (momentum, Nesterov, coupled/decoupled weight decay, groups) and
//                 learning-rate schedules (cosine, step, linear warm-up; composable)
//   checkpoint.h  named tensors + counters to a file and back (atomic, validated)
//
// Conventions: ops return new tensors and never modify inputs; backward passes accumulate
// into .grad (zero with ParameterSet::ZeroGrads); results are bit-identical for any thread
// count (SetNumThreads).
//
// Worked example: a tiny net and one SGD step.
//
//   using namespace strata;
//   ParameterSet params, buffers;
//   nn::Conv2dOptions co;
//   co.padding = 1, co.bias = false;
//   nn::Conv2d conv("conv", 3, 8, 3, co, /*seed=*/1);
//   nn::BatchNorm2d bn("bn", 8);
//   nn::Linear fc("fc", 8, 10, /*bias=*/true, /*seed=*/1);
//   conv.Register(&params);
//   bn.Register(&params, &buffers);
//   fc.Register(&params);
//
//   SgdOptions so;
//   so.momentum = 0.9f, so.weight_decay = 5e-4f;
//   Sgd sgd(so);
//   sgd.AddGroup(params);
//   LrSchedule lr = LinearWarmup(100, CosineLr(0.1, 10000));
//
//   Tensor x = Tensor::Zeros({32, 3, 28, 28});          // a batch, NCHW
//   std::vector<int32_t> labels(32, 0);
//   params.ZeroGrads();
//   Tensor h = bn.Forward(conv.Forward(x), Act::kRelu);  // fused BN + ReLU
//   Tensor loss = CrossEntropy(fc.Forward(GlobalAvgPool(h)), labels);
//   Backward({loss});
//   sgd.Step(lr(sgd.steps()));
#ifndef STRATA_ENGINE_ENGINE_H_
#define STRATA_ENGINE_ENGINE_H_

#include "engine/autograd.h"
#include "engine/check.h"
#include "engine/checkpoint.h"
#include "engine/file_util.h"
#include "engine/nn.h"
#include "engine/ops.h"
#include "engine/optim.h"
#include "engine/parallel.h"
#include "engine/rng.h"
#include "engine/status.h"
#include "engine/tensor.h"

#endif  // STRATA_ENGINE_ENGINE_H_
