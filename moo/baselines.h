// The two vertical-layering baselines of seed 001 Sec. 3.3 (ALGORITHMS.md §2, "Baselines"):
// nested codes q_b = 2·q_{b-1} + e_b with binary enhance layers e_b = 1[r_b > 0] learned
// through real tensors r_b and a straight-through step function (quant::HeavisideSte).
//
// Weights of bit-width b = b0 + k (slot k; b0 = basic bits, N = max bits):
//   ŵ_{b0} = LSQ(w; s_w)                                      (Eq. 1, signed, s_w learnable)
//   ŵ_b    = ŵ_{b-1} + s_b · 1[r_b > 0],   s_b = s_w / 2^(b-b0) (Sec. 3.3: w̄_i = 2 w̄_{i-1} + b_i)
// i.e. ŵ_b = s_b·q_b with q_b = 2 q_{b-1} + e_b. Decision: r_b lives in weight units (its
// STE gradient is dL/dŵ_b, as the latent weight's under LSQ; the step only scales the
// threshold test r_b / s_b, detached) and starts at r_b = w - ŵ_{b-1} - s_b/2, so that e_b
// first picks the nearer of the two candidate levels of the latent weight w.
// Every slot has its own activation steps (LSQ, a_bits = b) and its own BN variant; the first
// conv and last linear are FP and shared.
//
//   AscendingRecipe (stages 0..N-b0): stage 0 = LSQ at b0 (w, s_w, BN 0, first/last layers);
//     stage k learns only r_{b0+k}, slot k's activation steps and BN variant k (copied from
//     variant k-1 when the stage starts); everything else is frozen (restored after every
//     optimizer step), so the lower-bit models stay exactly as they were.
//   CotrainRecipe (one stage): every slot's forward each step, loss Σ_b CE_b, all of w, s_w,
//     r_b, steps and BNs learned at once. The paper reports it diverges (NaN): the loop
//     records a non-finite loss as a diverged result.
//
//   moo::NestedOptions o;  o.basic_bits = 2;  o.max_bits = 4;
//   STRATA_ASSIGN_OR_RETURN(auto r, moo::AscendingRecipe::Create(o, *net));
//   // net built with bn_variants = o.slots(); r->Stages() == 3; evals "w2a2", "w3a3", "w4a4"
#ifndef STRATA_MOO_BASELINES_H_
#define STRATA_MOO_BASELINES_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/baselines.pb.h"
#include "moo/quant_state.h"
#include "moo/recipe.h"

namespace strata {
namespace moo {

struct NestedOptions {
  int basic_bits = quant::kPaperBasicBits;  // b0
  int max_bits = quant::kPaperSourceBits;   // N
  int slots() const { return max_bits - basic_bits + 1; }
};
// InvalidArgument naming `field` and the value unless 1 <= basic_bits < max_bits <= 16.
Status ValidateNested(const NestedOptions& o, const std::string& field);
// The options of a config message (baselines.proto): widths left 0 are the paper's, then
// ValidateNested with field "ascending" / "cotrain".
StatusOr<NestedOptions> NestedOptionsFrom(const AscendingRecipeConfig& config);
StatusOr<NestedOptions> NestedOptionsFrom(const CotrainRecipeConfig& config);

// The nested quantizer of both baselines; slot k is the bit-width b0 + k.
class NestedHooks : public SlottedHooks {
 public:
  NestedHooks(const NestedOptions& o, const models::Network& net);
  Tensor Weight(const models::Layer& layer, const Tensor& w, const models::ForwardContext& ctx,
                int slot) override;
  Tensor Input(const models::Layer& layer, const Tensor& x, const models::ForwardContext& ctx,
               int slot) override;

  Status InitWeightSteps(const models::Network& net);
  // Computes the frozen ŵ_{b0+k-1} of every layer (no gradient) that slot k builds on;
  // when `init_r` also sets r_{b0+k} = w - ŵ_{b0+k-1} - s_b/2.
  void FreezeBelow(int k, bool init_r, const models::Network& net);
  void Unfreeze();  // every slot runs the whole chain again
  // After FreezeBelow(k): slot k builds on the frozen ŵ_{b0+k-1} (no gradient into w, s_w
  // or lower r); other slots (and co-training, which never freezes) run the whole chain.

  const NestedOptions& options() const { return o_; }
  const std::vector<LayerBits>& layers() const { return layers_; }
  ParameterSet WeightParameters(int slot) const;  // slot 0: s_w; slot k: every r_{b0+k}
  ParameterSet ActParameters(int slot) const;
  ParameterSet Parameters() const;
  const ParameterSet& State() const { return act_.State(); }

 private:
  Tensor Chain(int index, const Tensor& w, int k) const;  // ŵ of slot k with gradients
  NestedOptions o_;
  std::vector<LayerBits> layers_;
  std::vector<std::string> slot_names_;
  StepBank w_step_;
  std::vector<std::map<int, Tensor>> r_;  // [k-1][layer index]: r_{b0+k}
  std::map<int, Tensor> frozen_;          // layer index -> ŵ_{b0+k-1} of frozen_slot_
  int frozen_slot_ = 0;
  ActivationSteps act_;
  ParameterSet r_params_;
};

// "w2a2", "w3a3", ... for slots 0.. of o.
std::vector<std::string> NestedSlotNames(const NestedOptions& o);

class AscendingRecipe : public Recipe {
 public:
  static StatusOr<std::unique_ptr<AscendingRecipe>> Create(const NestedOptions& o,
                                                           const models::Network& net);
  int Stages() const override { return hooks_->options().slots(); }
  Status BeginStage(int stage, bool resumed, const models::Network& net) override;
  StepMetrics Step(const StepInput& in) override;
  void AfterStep(const models::Network& net) override;
  std::vector<EvalPoint> Evals() const override;  // slots 0..stage
  ParameterSet Parameters() const override { return hooks_->Parameters(); }
  ParameterSet State() const override { return hooks_->State(); }

 private:
  explicit AscendingRecipe(std::unique_ptr<NestedHooks> hooks) : hooks_(std::move(hooks)) {}
  std::unique_ptr<NestedHooks> hooks_;
  int stage_ = 0;
  std::vector<std::pair<Tensor, Tensor>> frozen_;  // (tensor, value to restore)
};

class CotrainRecipe : public Recipe {
 public:
  static StatusOr<std::unique_ptr<CotrainRecipe>> Create(const NestedOptions& o,
                                                         const models::Network& net);
  Status BeginStage(int stage, bool resumed, const models::Network& net) override;
  // loss = Σ_b CE_b (NaN if any is); correct/count of the highest bit-width.
  StepMetrics Step(const StepInput& in) override;
  std::vector<EvalPoint> Evals() const override;  // every slot
  ParameterSet Parameters() const override { return hooks_->Parameters(); }
  ParameterSet State() const override { return hooks_->State(); }

 private:
  explicit CotrainRecipe(std::unique_ptr<NestedHooks> hooks) : hooks_(std::move(hooks)) {}
  std::unique_ptr<NestedHooks> hooks_;
};

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_BASELINES_H_
