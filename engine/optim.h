// SGD (momentum, Nesterov, weight decay, parameter groups) and learning-rate schedules.
//
// Sgd::Step follows torch.optim.SGD exactly (PyTorch 1.13), per parameter p with grad g:
//   g = g + wd * p                     (coupled weight decay: the default, PyTorch's form)
//   b = g on the first step, else b = momentum * b + (1 - dampening) * g
//   g = nesterov ? g + momentum * b : b          (when momentum != 0)
//   p = p - lr * g
// With decoupled_weight_decay the decay is instead applied as p = p - lr * wd * p before
// the update and g is left alone (SGDW, Loshchilov & Hutter 2019).
//
//   Sgd sgd({.momentum = 0.9f, .weight_decay = 5e-4f});
//   sgd.AddGroup(params.Filter(IsConvOrLinearWeight));             // group default decay
//   sgd.AddGroup(params.Filter(IsBnOrStep), /*weight_decay=*/0.f);   // no decay
//   LrSchedule lr = LinearWarmup(500, CosineLr(0.1, total_steps));
//   ... Backward({loss}); sgd.Step(lr(step)); params.ZeroGrads();
//
// Parameters whose .grad is undefined are skipped. Step overwrites parameters in place
// (bit-identical for any thread count: elementwise). Not thread-safe.
#ifndef STRATA_ENGINE_OPTIM_H_
#define STRATA_ENGINE_OPTIM_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "engine/nn.h"

namespace strata {

struct SgdOptions {
  float momentum = 0.f;
  float dampening = 0.f;
  bool nesterov = false;
  float weight_decay = 0.f;
  bool decoupled_weight_decay = false;
};

class Sgd {
 public:
  explicit Sgd(const SgdOptions& options) : options_(options) {}

  // A group of parameters sharing a weight decay (default: the options') and an lr
  // multiplier. Momentum buffers are allocated here (zeros).
  void AddGroup(const ParameterSet& params, std::optional<float> weight_decay = std::nullopt,
                float lr_scale = 1.f);
  void Step(float lr);
  int64_t steps() const { return steps_; }

  // Momentum buffers named "<param>.momentum_buffer" (live tensors: loading a checkpoint
  // into them restores the optimizer) and the step counter.
  ParameterSet StateTensors() const;
  void set_steps(int64_t steps) { steps_ = steps; }

 private:
  struct Group {
    ParameterSet params;
    std::vector<Tensor> momentum;
    float weight_decay;
    float lr_scale;
  };
  void StepParameter(const Group& g, const Tensor& p, const Tensor& buf, float lr) const;

  SgdOptions options_;
  std::vector<Group> groups_;
  int64_t steps_ = 0;
};

// lr as a function of the 0-based step.
using LrSchedule = std::function<double(int64_t step)>;

LrSchedule ConstantLr(double lr);
// Cosine annealing without restart (torch CosineAnnealingLR's closed form):
// min + (base - min) (1 + cos(pi step / total)) / 2, and min after `total` steps.
LrSchedule CosineLr(double base, int64_t total_steps, double min_lr = 0.0);
// base * gamma^(step / step_size) (torch StepLR).
LrSchedule StepLr(double base, int64_t step_size, double gamma);
// Linear warm-up over the first `warmup_steps` from start_factor * after(0) to after(0),
// then after(step - warmup_steps): the wrapped schedule starts when the warm-up ends.
LrSchedule LinearWarmup(int64_t warmup_steps, LrSchedule after, double start_factor = 0.0);

}  // namespace strata

#endif  // STRATA_ENGINE_OPTIM_H_
