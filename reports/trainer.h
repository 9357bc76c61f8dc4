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
// Method-specific training plugs in as a Recipe: given the network, a batch and the
// step, it computes the loss(es), backpropagates into the parameters' .grad and returns
// metrics; the loop zeroes gradients before and steps the optimizer after. Floating
// point training (FpRecipe) is the first; LSQ, once-QAT, INQ and AMED fine-tuning add
// theirs without touching the loop.
//
// Determinism and resume: every random choice is a pure function of the seed and a
// counter (weights: parameter name; data order: epoch; augmentation: epoch and sample;
// dropout: step), so the loop's state is the parameters, BN buffers, momentum buffers
// and the epoch/step counters, all in the checkpoint. Checkpoints are written at epoch
// ends; a run killed mid-epoch resumes by redoing that epoch from its first batch and
// ends with the same parameter digest as an uninterrupted run, for any thread count.
//
// Files in out_dir: result.pb + result.json (at the end), checkpoint.ckpt and
// progress.pb (the finished epochs' records; written before the checkpoint). Nothing is
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
#include "reports/experiment.pb.h"
#include "reports/proto_json.h"

namespace strata {
namespace reports {

// What one recipe step reports (summed over the batch).
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
};

class Recipe {
 public:
  virtual ~Recipe() = default;
  // Forward, loss(es), backward into .grad. Must not step the optimizer.
  virtual StepMetrics Step(const StepInput& in) = 0;
  // The context evaluation runs with (e.g. a bit-width's hooks and BN variant).
  virtual models::ForwardContext EvalContext() const { return models::ForwardContext(); }
  // The recipe's own learnable tensors (e.g. LSQ step sizes): stepped by the same SGD
  // without weight decay, checkpointed, and part of the final digest. The same tensors
  // on every call.
  virtual ParameterSet Parameters() const { return ParameterSet(); }
  // Other state to checkpoint (e.g. INQ's frozen-weight masks); the same on every call.
  virtual ParameterSet State() const { return ParameterSet(); }
};

// Plain cross-entropy training in floating point.
class FpRecipe : public Recipe {
 public:
  StepMetrics Step(const StepInput& in) override;
};

// Top-1 hits of logits (N, K) against labels.
int64_t CountTop1(const Tensor& logits, const std::vector<int32_t>& labels);

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
};

// The recipe a config names, for `net` (a quantizing recipe creates its per-layer state
// from net.layers()).
std::unique_ptr<Recipe> MakeRecipe(const ExperimentConfig& config, const models::Network& net);

StatusOr<RunResult> RunExperiment(const ExperimentConfig& config, const TrainOptions& options);


}  // namespace reports
}  // namespace strata

#endif  // STRATA_REPORTS_TRAINER_H_
