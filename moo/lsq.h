// LSQ quantization-aware training (Esser et al., ICLR 2020; ALGORITHMS.md §1) as quantization
// hooks on a models::Network and as a training recipe.
//
// Each quantized conv/linear (precision plan: quant_state.h) computes
//   ŵ = clip(round(w / s_w), -2^(b-1), 2^(b-1) - 1) · s_w                 (seed 001 Eq. 1, signed)
//   x̂ = clip(round(x / s_a), 0, 2^b - 1) · s_a  (signed range where x can be negative)
// with learnable steps s_w, s_a (gradient scale 1/sqrt(N·Qp), straight-through round:
// quant::LsqQuantize). s_w starts at 2·mean|w|/sqrt(Qp) of the pretrained FP weights
// (BeginStage(0)), s_a at 2·mean|x|/sqrt(Qp) of the first batch. The first conv and last
// linear stay FP unless the plan says otherwise.
//
//   moo::PrecisionPlan plan;  plan.w_bits = plan.a_bits = 4;
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<moo::LsqRecipe> r, moo::LsqRecipe::Create(plan, *net));
//   STRATA_RETURN_IF_ERROR(r->BeginStage(0, /*resumed=*/false, *net));   // steps from w
//   moo::StepMetrics m = r->Step(in);   // forward with hooks, CE, backward (s_w, s_a get grads)
//
// The hooks alone (for a table that evaluates a quantized network):
//   moo::LsqHooks hooks(layers, {""});  ...  ctx.hooks = hooks.At(0);  net->Forward(x, ctx);
#ifndef STRATA_MOO_LSQ_H_
#define STRATA_MOO_LSQ_H_

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/quant_state.h"
#include "moo/recipe.h"

namespace strata {
namespace moo {

// LSQ on weights and inputs of the planned layers, own steps per slot (several slots for
// AdaBits-style training).
class LsqHooks : public SlottedHooks {
 public:
  LsqHooks(std::vector<LayerBits> layers, const std::vector<std::string>& slot_names);
  Tensor Weight(const models::Layer& layer, const Tensor& w, const models::ForwardContext& ctx,
                int slot) override;
  Tensor Input(const models::Layer& layer, const Tensor& x, const models::ForwardContext& ctx,
               int slot) override;

  // Every weight step from the network's current weights (LSQ init). FailedPrecondition
  // naming the layer when a weight tensor is all zeros or not finite.
  Status InitWeightSteps(const models::Network& net);
  const std::vector<LayerBits>& layers() const { return layers_; }
  ParameterSet Parameters() const;  // weight steps, then activation steps
  const ParameterSet& State() const { return act_.State(); }

 private:
  std::vector<LayerBits> layers_;
  std::vector<int> position_;  // layer index -> position in layers_ (-1: FP)
  StepBank w_steps_;
  ActivationSteps act_;
};

// FP-pretrained network -> LSQ QAT at one precision plan (cross-entropy, one stage).
class LsqRecipe : public Recipe {
 public:
  // Errors (from ResolvePlan) name "lsq.plan..." fields.
  static StatusOr<std::unique_ptr<LsqRecipe>> Create(const PrecisionPlan& plan,
                                                     const models::Network& net);
  Status BeginStage(int stage, bool resumed, const models::Network& net) override;
  StepMetrics Step(const StepInput& in) override;
  std::vector<EvalPoint> Evals() const override;
  ParameterSet Parameters() const override { return hooks_->Parameters(); }
  ParameterSet State() const override { return hooks_->State(); }

 private:
  explicit LsqRecipe(std::vector<LayerBits> layers);
  std::unique_ptr<LsqHooks> hooks_;
};

// Cross-entropy of one forward with ctx (hooks/variant set by the caller); backward when
// the loss is finite. The step every single-network recipe shares.
StepMetrics CrossEntropyStep(const StepInput& in, const models::ForwardContext& ctx);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_LSQ_H_
