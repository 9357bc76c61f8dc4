// INQ training (Zhou et al., ICLR 2017; seed 004 Sec. 2): the moo::Recipe that drives
// quant/inq.h over every conv and linear weight of a network (first and last layers too;
// biases, BN and activations stay float, as in seed 004).
//
//   InqOptions o;
//   o.bits = 8;                                // 2..9
//   o.schedule = quant::DefaultInqSchedule();  // accumulated portions {.5, .75, .875, 1}
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<InqRecipe> r, InqRecipe::Create(net, o));
//   // the training loop (moo/train/trainer.h), starting from the pretrained FP weights:
//   //   stage k = 0..3: BeginStage(k) freezes the largest σ_k of each layer (INQ Eq. (5)-(8);
//   //   stage 0 first fixes each layer's codebook from the pretrained weights, Eq. (2)),
//   //   then the free weights retrain for the config's epochs with the LR schedule restarted;
//   //   Step masks the frozen gradients, AfterStep writes the frozen values back after every
//   //   SGD step (INQ Eq. (7): the update is multiplied by T_l after momentum and decay).
//
// After the last stage (σ = 1) every weight is a level of its codebook: 0 or ±2^k.
// State() holds each layer's mask, frozen values and codebook (checkpointed: a resumed
// run restores them and BeginStage(k, resumed = true) only checks them). Per epoch the
// recipe reports "inq_frozen_fraction" (frozen weights / all quantized weights).
#ifndef STRATA_MOO_INQ_RECIPE_H_
#define STRATA_MOO_INQ_RECIPE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/inq_recipe.pb.h"
#include "moo/recipe.h"
#include "quant/quant.h"

namespace strata {
namespace moo {

struct InqOptions {
  int bits = 8;                  // b in [2, 9]
  std::vector<double> schedule;  // accumulated portions; empty = quant::DefaultInqSchedule()
};
// The options of a config message (inq_recipe.proto), checked as Create checks them;
// errors name "inq.bits" / "inq.schedule" and the value.
StatusOr<InqOptions> InqOptionsFrom(const InqRecipeConfig& config);

class InqRecipe : public Recipe {
 public:
  // Errors (outside input): bits outside 2..9, a schedule that is not strictly increasing
  // in (0, 1] ending at 1 (the Status names the value).
  static StatusOr<std::unique_ptr<InqRecipe>> Create(const models::Network& net,
                                                     const InqOptions& options);

  int Stages() const override { return static_cast<int>(schedule_.size()); }
  // Not resumed: stage 0 sets each layer's codebook from the current (pretrained) weights,
  // then every stage freezes up to σ_stage. Resumed: checks the restored state.
  Status BeginStage(int stage, bool resumed, const models::Network& net) override;
  StepMetrics Step(const StepInput& in) override;
  void AfterStep(const models::Network& net) override;
  ParameterSet State() const override { return state_; }
  std::vector<std::pair<std::string, double>> TakeEpochMetrics() override;

  // Frozen weights / all quantized weights.
  double FrozenFraction() const;
  const std::vector<quant::InqLayer>& layers() const { return layers_; }
  // Bits of the quantized weights as stored (b per weight) vs float32, weights only
  // (seed 004's "3.5x-6.4x"): InqStorage over every quantized layer.
  quant::InqStorage Storage() const;

 private:
  InqRecipe(const models::Network& net, const InqOptions& options);
  int bits_;
  std::vector<double> schedule_;
  std::vector<quant::InqLayer> layers_;  // one per net.layers()[i], same order
  ParameterSet state_;
};

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_INQ_RECIPE_H_
