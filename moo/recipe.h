// What one training step of a method computes: the Recipe interface the generic training
// loop (moo/train/trainer.h) drives, and the floating-point recipe. Method recipes (LSQ,
// ascending layers, co-training, once-QAT, INQ, AMED fine-tuning) implement it in moo/;
// the loop owns data, optimizer, schedule, evaluation, checkpoints and results.
//
//   class MyRecipe : public moo::Recipe {
//    public:
//     moo::StepMetrics Step(const moo::StepInput& in) override {
//       const Tensor logits = in.net->Forward(in.images, in.ctx);
//       const Tensor loss = CrossEntropy(logits, *in.labels);
//       if (std::isfinite(loss.item())) Backward({loss});
//       return {loss.item(), moo::CountTop1(logits, *in.labels), in.batch_size()};
//     }
//   };
//
// The loop, per stage k = 0 .. Stages()-1 (the LR schedule restarts at each stage):
//   BeginStage(k, resumed, net)             (resumed: state came from a checkpoint)
//   per batch: zero grads; Step(in); if the loss is finite: SGD step; AfterStep(net)
//   per epoch: evaluate every Evals() point; TakeEpochMetrics(); checkpoint
//
// Determinism: everything a recipe does must be a function of its inputs and state (the
// loop passes seed and step in ctx); state that must survive a resume goes in
// Parameters() (learnable, stepped by the loop's SGD without weight decay) or State().
#ifndef STRATA_MOO_RECIPE_H_
#define STRATA_MOO_RECIPE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/recipe.pb.h"

namespace strata {
namespace moo {

// What one step reports (over the batch).
struct StepMetrics {
  double loss = 0;      // the batch's mean loss (NaN/Inf marks a diverged run)
  int64_t correct = 0;  // top-1 hits among `count` examples
  int64_t count = 0;
};

struct StepInput {
  const models::Network* net;
  Tensor images;                       // (N, C, H, W)
  const std::vector<int32_t>* labels;  // N labels
  models::ForwardContext ctx;          // training = true, seed, step
  int64_t batch_size() const { return static_cast<int64_t>(labels->size()); }
};

// One evaluation of the network after each epoch, e.g. one per bit-width.
struct EvalPoint {
  std::string name;            // "" for the single evaluation of a one-network recipe
  models::ForwardContext ctx;  // training is forced to false by the loop
};

class Recipe {
 public:
  virtual ~Recipe() = default;

  // Training stages (INQ's partition steps, ascending-layer stages); each runs the
  // config's epochs with the LR schedule restarted.
  virtual int Stages() const { return 1; }
  // Called before the first step of every stage, and once when a run resumes from a
  // checkpoint inside a stage. When `resumed` is false it prepares the stage from the
  // network's current weights (e.g. initialises step sizes, freezes weights); when true
  // Parameters() and State() already hold the stage's state: only bookkeeping outside
  // them (e.g. which stage is current) may change. Errors are outside-input errors.
  virtual Status BeginStage(int stage, bool resumed, const models::Network& net);
  // Forward, loss(es), backward into the .grad of the parameters. Must not step the
  // optimizer.
  virtual StepMetrics Step(const StepInput& in) = 0;
  // After every optimizer step (e.g. restore frozen weights).
  virtual void AfterStep(const models::Network& net);
  // The evaluations after each epoch; the first one is the run's headline accuracy.
  virtual std::vector<EvalPoint> Evals() const;
  // The recipe's own learnable tensors (e.g. LSQ step sizes): stepped by the same SGD
  // without weight decay, checkpointed, part of the final digest. The same tensors on
  // every call.
  virtual ParameterSet Parameters() const { return ParameterSet(); }
  // Other state to checkpoint (e.g. INQ's masks); the same tensors on every call.
  virtual ParameterSet State() const { return ParameterSet(); }
  // Named per-epoch scalars (e.g. MGD's mean α per bit-width), averaged over the epoch's
  // steps by the recipe and reset by this call.
  virtual std::vector<std::pair<std::string, double>> TakeEpochMetrics() { return {}; }
};

// Option checks of the recipes' config messages (one wording for every recipe):
// InvalidArgument "field: value must be in [lo, hi]" (brackets open as asked) when value is
// outside the range or not finite.
Status CheckInRange(const std::string& field, double value, double lo, double hi,
                    bool lo_open = false, bool hi_open = false);
// A bit-width field of a config message: `value`, or `paper` when it is 0 (proto3's unset).
inline int OrPaper(int value, int paper) { return value == 0 ? paper : value; }

// Plain cross-entropy training in floating point.
class FpRecipe : public Recipe {
 public:
  StepMetrics Step(const StepInput& in) override;
};

// Position of the label's logit among a row's k logits sorted descending (ties broken by
// class index, as a stable sort would): 0 = top-1 hit.
int LabelRank(const float* row, int k, int label);
// Top-1 hits of logits (N, K) against labels.
int64_t CountTop1(const Tensor& logits, const std::vector<int32_t>& labels);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_RECIPE_H_
