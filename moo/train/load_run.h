// A finished run back in memory, in one place: its config as it ran, its result, and the
// network and recipe holding its final weights, for tables, model files, ensembles and
// mixed precision to evaluate or inspect.
//
//   STRATA_ASSIGN_OR_RETURN(LoadedRun run, LoadRun("/cache/ab/abcd..."));
//   STRATA_ASSIGN_OR_RETURN(EvalRecord e, EvaluateTestSet(run.config, *run.net,
//   run.EvalContext()));
//   // e.top1() == run.result.final_test_top1()
//
// Errors are Status naming the file: a missing or unparsable result.pb, data that cannot be
// opened, weights that do not fit the network the config builds.
#ifndef STRATA_MOO_TRAIN_LOAD_RUN_H_
#define STRATA_MOO_TRAIN_LOAD_RUN_H_

#include <memory>
#include <string>

#include "engine/engine.h"
#include "models/models.h"
#include "moo/moo.h"
#include "moo/train/experiment.pb.h"

namespace strata {
namespace moo {

struct LoadedRun {
  ExperimentConfig config;  // as run; model.in_channels / num_classes resolved (model.h)
  RunResult result;
  std::unique_ptr<models::Network> net;
  std::unique_ptr<Recipe> recipe;  // MakeRecipe's, with the run's parameters (e.g. steps)
  // The recipe's first evaluation point: where the run's headline accuracy came from.
  models::ForwardContext EvalContext() const;
};

// From a run directory (the loop's out_dir or a cache entry): result.pb's config rebuilds
// the network (its data opened to size it) and the recipe; weights.ckpt then loads into
// the network's parameters and BN buffers and the recipe's parameters, every tensor the
// loop saved and no other. The recipe's State() is not in weights.ckpt and comes back as
// MakeRecipe made it: FP, INQ and once-QAT runs (whose activation ranges travel with their
// parameters) evaluate as they ran; LSQ and the baselines' activation steps would be set
// again from the first batch they see.
StatusOr<LoadedRun> LoadRun(const std::string& run_dir);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_LOAD_RUN_H_
