// The generic training loop: one ExperimentConfig (experiment.proto) in, one RunResult
// out. Epochs of batches from the deterministic loader, a recipe step per batch, an SGD
// step, evaluation (top-1/top-5) after every epoch, an atomic checkpoint after every
// epoch, a progress display, and the final result files.
//
//   STRATA_ASSIGN_OR_RETURN(ExperimentConfig config, LoadExperimentConfig(path));
//   TrainOptions options;
//   options.out_dir = "/tmp/runs/" + config.name();
//   options.resume = true;
//   STRATA_ASSIGN_OR_RETURN(RunResult result, RunExperiment(config, options));
//
// In-process (a search or a selection loop training networks directly) and as the
// //reports:train child process alike. Method-specific training plugs in as a Recipe
// (moo/recipe.h): given the network,
// a batch and the step, it computes the loss(es), backpropagates into the parameters'
// .grad and returns metrics; the loop zeroes gradients before and steps the optimizer
// after, runs the recipe's stages (restarting the LR schedule at each), evaluates every
// evaluation point the recipe names after each epoch (evaluate.h), and checkpoints the
// recipe's state. MakeRecipe (recipes.h) maps the config's `recipe` to one; the data
// (data.h) and the network (model.h) come from the config the same way everywhere.
//
// Initialisation from another run: TrainOptions::init_weights names a weights file
// (weights.ckpt of a finished run, e.g. the FP model of a QAT run); the network's
// parameters and BN buffers are loaded from it by name (BN variants > 0 copy variant 0)
// before stage 0 begins.
//
// Determinism and resume: every random choice is a pure function of the seed and a
// counter (weights: parameter name; data order: epoch; augmentation: epoch and sample;
// dropout: step), so the loop's state is the parameters, BN buffers, momentum buffers
// and the epoch/step counters, all in the checkpoint. Checkpoints are written at epoch
// ends; a run killed mid-epoch resumes by redoing that epoch from its first batch and
// ends with the same parameter digest as an uninterrupted run, for any thread count.
//
// Files in out_dir: result.pb + result.json + weights.ckpt (network parameters, BN
// buffers and the recipe's parameters; at the end), checkpoint.ckpt and progress.pb (the
// finished epochs' records; written before the checkpoint). Nothing is written before the
// config, datasets, model and checkpoint have all been validated.
#ifndef STRATA_MOO_TRAIN_TRAINER_H_
#define STRATA_MOO_TRAIN_TRAINER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"
#include "moo/train/experiment.pb.h"

namespace strata {
namespace moo {

struct ProgressState {
  int epoch = 0, epochs = 0;  // 1-based epoch
  int64_t batch = 0, batches = 0;
  double loss = 0, top1 = 0, images_per_second = 0, eta_seconds = 0;
};

struct TrainOptions {
  std::string out_dir;  // created if missing
  bool resume = false;  // continue from out_dir/checkpoint.ckpt when it exists
  // Called after every batch and (with batch == batches) at every epoch end; may be null.
  std::function<void(const ProgressState&, bool epoch_end)> progress;
  // Test hook simulating a kill: return an error after this many batches of this process
  // (0: never). The files are left as a killed process leaves them.
  int64_t interrupt_after_batches = 0;
  // OPENBLAS_CORETYPE to record (the runner pins it before OpenBLAS loads).
  std::string openblas_coretype;
  // Weights file the network starts from (required when config.pretrained is set).
  std::string init_weights;
  // Digest of the pretrained run (recorded in the result).
  std::string pretrained_digest;
  // Recorded as RunResult::code_version.
  std::string code_version;
};

// The name of the final weights file in a run's out_dir.
constexpr char kWeightsFile[] = "weights.ckpt";

StatusOr<RunResult> RunExperiment(const ExperimentConfig& config, const TrainOptions& options);

// One training step, the loop's and every timed step's (throughput.h, benchmarks/): zero
// the gradients of the network and the recipe, the recipe's Step, then, when its loss is
// finite, SGD at `lr` and the recipe's AfterStep. A non-finite loss steps nothing (the
// loop records the run as diverged).
StepMetrics TrainStep(const StepInput& in, Recipe* recipe, Sgd* sgd, float lr);

// SGD as config's optimizer states it over net's parameters (no decay on BN affine
// parameters and biases when no_decay_on_bn) and the recipe's parameters (never decayed).
std::unique_ptr<Sgd> MakeSgd(const ExperimentConfig& config, const models::Network& net,
                             const Recipe& recipe);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_TRAINER_H_
