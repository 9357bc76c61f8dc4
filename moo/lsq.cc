// LSQ hooks and recipe (lsq.h).
#include "moo/lsq.h"

#include <cmath>

#include "quant/quant.h"

namespace strata {
namespace moo {

LsqHooks::LsqHooks(std::vector<LayerBits> layers, const std::vector<std::string>& slot_names)
    : SlottedHooks(static_cast<int>(slot_names.size())),
      layers_(std::move(layers)),
      w_steps_(layers_, slot_names, "w_step"),
      act_(layers_, slot_names, ActInit::kLsq) {
  for (size_t k = 0; k < layers_.size(); ++k) {
    const int i = layers_[k].index;
    if (static_cast<int>(position_.size()) <= i) position_.resize(i + 1, -1);
    position_[i] = static_cast<int>(k);
  }
}

Tensor LsqHooks::Weight(const models::Layer& layer, const Tensor& w,
                        const models::ForwardContext&, int slot) {
  const int i = layer.info().index;
  if (i >= static_cast<int>(position_.size()) || position_[i] < 0) return w;
  const int bits = layers_[position_[i]].w_bits.at(slot);
  if (bits == 0) return w;
  const quant::QuantRange r = quant::SignedRange(bits);  // Eq. 1, signed weights
  return quant::LsqQuantize(w, w_steps_.at(i, slot), r, quant::LsqWeightGradScale(w, r));
}

Tensor LsqHooks::Input(const models::Layer& layer, const Tensor& x,
                       const models::ForwardContext&, int slot) {
  return act_.Quantize(layer, x, slot);
}

Status LsqHooks::InitWeightSteps(const models::Network& net) {
  for (const LayerBits& l : layers_) {
    const Tensor& w = net.layers().at(l.index)->weight();
    for (size_t s = 0; s < l.w_bits.size(); ++s) {
      if (l.w_bits[s] == 0) continue;
      StatusOr<float> s0 = quant::LsqInitStep(w, quant::SignedRange(l.w_bits[s]));
      if (!s0.ok()) return s0.status().Annotate("LSQ weight step of layer '" + l.name + "': ");
      w_steps_.at(l.index, static_cast<int>(s)).data()[0] = s0.value();
    }
  }
  return Status::Ok();
}

ParameterSet LsqHooks::Parameters() const {
  ParameterSet p = w_steps_.Parameters();
  p.AddAll(act_.Parameters());
  return p;
}

StepMetrics CrossEntropyStep(const StepInput& in, const models::ForwardContext& ctx) {
  const Tensor logits = in.net->Forward(in.images, ctx);
  const Tensor loss = CrossEntropy(logits, *in.labels);
  StepMetrics m;
  m.loss = loss.item();
  m.count = in.batch_size();
  m.correct = CountTop1(logits, *in.labels);
  if (std::isfinite(m.loss)) Backward({loss});
  return m;
}

LsqRecipe::LsqRecipe(std::vector<LayerBits> layers)
    : hooks_(std::make_unique<LsqHooks>(std::move(layers), std::vector<std::string>{""})) {}

StatusOr<std::unique_ptr<LsqRecipe>> LsqRecipe::Create(const PrecisionPlan& plan,
                                                       const models::Network& net) {
  STRATA_ASSIGN_OR_RETURN(std::vector<LayerBits> layers, ResolvePlan(plan, net, "lsq.plan"));
  return std::unique_ptr<LsqRecipe>(new LsqRecipe(std::move(layers)));
}

Status LsqRecipe::BeginStage(int stage, bool resumed, const models::Network& net) {
  if (stage != 0 || resumed) return Status::Ok();  // resumed: steps come from the checkpoint
  return hooks_->InitWeightSteps(net);
}

StepMetrics LsqRecipe::Step(const StepInput& in) {
  models::ForwardContext ctx = in.ctx;
  ctx.hooks = hooks_->At(0);
  return CrossEntropyStep(in, ctx);
}

std::vector<EvalPoint> LsqRecipe::Evals() const {
  EvalPoint p;
  p.ctx.hooks = hooks_->At(0);
  return {p};
}

}  // namespace moo
}  // namespace strata
