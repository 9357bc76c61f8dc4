// The generic training loop: one ExperimentConfig (experiment.proto) in, one RunResult
// out. Epochs of batches from the deterministic loader, a recipe step per batch, an SGD
// step, evaluation (top-1/top-5) after every epoch, an atomic checkpoint after every
// epoch, a progress display, and the final result files.
//
//   STRATA_ASSIGN_OR_RETURN(ExperimentConfig config, LoadExperimentConfig(path));
//   TrainOptions options;
//   options.out_dir = "reports/out/runs/" + config.name();
//   options.resume = true;
//   STRATA_ASSIGN_OR_RETURN(RunResult result, RunExperiment(config, options));
//
// Method-specific training plugs in as a moo::Recipe (moo/recipe.h): given the network,
// a batch and the step, it computes the loss(es), backpropagates into the parameters'
// .grad and returns metrics; the loop zeroes gradients before and steps the optimizer
// after, runs the recipe's stages (restarting the LR schedule at each), evaluates every
// evaluation point the recipe names after each epoch, and checkpoints the recipe's
// state. MakeRecipe maps the config's `recipe` to one.
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
// buffers and the recipe's parameters; at the end), checkpoint.ckpt and progress.pb (the finished epochs' records; written before the checkpoint). Nothing is
// written before the config, datasets, model and checkpoint have all been validated.
#ifndef STRATA_REPORTS_TRAINER_H_
#define STRATA_REPORTS_TRAINER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"
#include "reports/experiment.pb.h"
#include "reports/proto_json.h"

namespace strata {
namespace reports {

// Parses a text-format config (errors name the file, line and column) and validates
// every field's range (errors name the field and value).
StatusOr<ExperimentConfig> ParseExperimentConfig(const std::string& text,
                                                 const std::string& source);
StatusOr<ExperimentConfig> LoadExperimentConfig(const std::string& path);
Status ValidateExperimentConfig(const ExperimentConfig& config);

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

// The recipe a config names, for `net` (a quantizing recipe creates its per-layer state
// from net.layers()); errors name the recipe field and value (e.g. a plan naming a layer
// the network does not have).
StatusOr<std::unique_ptr<moo::Recipe>> MakeRecipe(const ExperimentConfig& config,
                                                  const models::Network& net);

// The number of BN variants a config's recipe needs (e.g. one per bit-width).
int BnVariantsFor(const ExperimentConfig& config);

StatusOr<RunResult> RunExperiment(const ExperimentConfig& config, const TrainOptions& options);


}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_TRAINER_H_
