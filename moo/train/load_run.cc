// A finished run back in memory (load_run.h).
#include "moo/train/load_run.h"

#include "moo/train/data.h"
#include "moo/train/model.h"
#include "moo/train/recipes.h"
#include "moo/train/trainer.h"

namespace strata {
namespace moo {

models::ForwardContext LoadedRun::EvalContext() const {
  const std::vector<EvalPoint> points = recipe->Evals();
  CHECK(!points.empty()) << "a recipe must name at least one evaluation point";
  models::ForwardContext ctx = points[0].ctx;
  ctx.training = false;
  return ctx;
}

StatusOr<LoadedRun> LoadRun(const std::string& run_dir) {
  const std::string result_path = run_dir + "/result.pb";
  STRATA_ASSIGN_OR_RETURN(std::string bytes, ReadFile(result_path));
  LoadedRun run;
  if (!run.result.ParseFromString(bytes)) {
    return DataLossError(result_path + ": not a RunResult");
  }
  run.config = run.result.config();
  STRATA_ASSIGN_OR_RETURN(RunData data, OpenRunData(run.config));
  const InputShape shape = ShapeOf(data);
  ResolveModelFields(shape, &run.config);
  STRATA_ASSIGN_OR_RETURN(models::ModelSpec spec, ModelSpecFor(run.config, shape));
  STRATA_ASSIGN_OR_RETURN(run.net, models::Build(spec));
  STRATA_ASSIGN_OR_RETURN(run.recipe, MakeRecipe(run.config, *run.net));
  ParameterSet all = run.net->params();
  all.AddAll(run.net->buffers());
  all.AddAll(run.recipe->Parameters());
  STRATA_RETURN_IF_ERROR(LoadCheckpoint(run_dir + "/" + kWeightsFile, all, nullptr));
  return run;
}

}  // namespace moo
}  // namespace strata
