#include "engine/optim.h"

#include <cmath>

#include "engine/check.h"
#include "engine/ops_internal.h"

namespace strata {

using internal::ForEach;

void Sgd::AddGroup(const ParameterSet& params, std::optional<float> weight_decay, float lr_scale) {
  Group g;
  g.params = params;
  g.weight_decay = weight_decay.value_or(options_.weight_decay);
  g.lr_scale = lr_scale;
  for (const NamedTensor& e : params.entries()) {
    g.momentum.push_back(options_.momentum != 0.f ? Tensor::Zeros(e.tensor.shape()) : Tensor());
  }
  groups_.push_back(std::move(g));
}

void Sgd::StepParameter(const Group& g, const Tensor& p, const Tensor& buf, float lr) const {
  const Tensor& grad = p.grad();
  if (!grad.defined()) return;
  CHECK_EQ(grad.numel(), p.numel())
      << "Sgd: grad " << ShapeStr(grad.shape()) << " for " << ShapeStr(p.shape());
  const SgdOptions& o = options_;
  const float wd = g.weight_decay, m = o.momentum;
  const bool coupled = !o.decoupled_weight_decay, first = steps_ == 0;
  float* w = p.data();
  const float* gr = grad.data();
  float* b = buf.defined() ? buf.data() : nullptr;
  ForEach(p.numel(), [=](int64_t i) {
    float d = gr[i];
    if (coupled && wd != 0.f) d += wd * w[i];
    if (b != nullptr) {
      b[i] = first ? d : m * b[i] + (1.f - o.dampening) * d;
      d = o.nesterov ? d + m * b[i] : b[i];
    }
    if (!coupled && wd != 0.f) w[i] -= lr * wd * w[i];
    w[i] -= lr * d;
  });
}

void Sgd::Step(float lr) {
  for (const Group& g : groups_) {
    for (size_t i = 0; i < g.params.size(); ++i) {
      StepParameter(g, g.params.entries()[i].tensor, g.momentum[i], lr * g.lr_scale);
    }
  }
  ++steps_;
}

ParameterSet Sgd::StateTensors() const {
  ParameterSet s;
  for (const Group& g : groups_) {
    for (size_t i = 0; i < g.params.size(); ++i) {
      if (g.momentum[i].defined())
        s.Add(g.params.entries()[i].name + ".momentum_buffer", g.momentum[i]);
    }
  }
  return s;
}

LrSchedule ConstantLr(double lr) {
  return [lr](int64_t) { return lr; };
}

LrSchedule CosineLr(double base, int64_t total_steps, double min_lr) {
  CHECK_GT(total_steps, 0) << "CosineLr: total_steps";
  return [=](int64_t step) {
    if (step >= total_steps) return min_lr;
    return min_lr + (base - min_lr) * (1.0 + std::cos(M_PI * double(step) / total_steps)) / 2.0;
  };
}

LrSchedule StepLr(double base, int64_t step_size, double gamma) {
  CHECK_GT(step_size, 0) << "StepLr: step_size";
  return [=](int64_t step) { return base * std::pow(gamma, double(step / step_size)); };
}

LrSchedule LinearWarmup(int64_t warmup_steps, LrSchedule after, double start_factor) {
  return [=](int64_t step) {
    if (step >= warmup_steps) return after(step - warmup_steps);
    const double t = double(step) / double(warmup_steps);
    return after(0) * (start_factor + (1.0 - start_factor) * t);
  };
}

}  // namespace strata
