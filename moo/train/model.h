// The network an ExperimentConfig describes: one ModelSpec from a config, for the loop, a
// finished run reloaded (load_run.h) and a model file (model_file.h) alike.
//
//   STRATA_ASSIGN_OR_RETURN(RunData d, OpenRunData(config));
//   STRATA_ASSIGN_OR_RETURN(models::ModelSpec spec, ModelSpecFor(config, ShapeOf(d)));
//   STRATA_ASSIGN_OR_RETURN(std::unique_ptr<models::Network> net, models::Build(spec));
#ifndef STRATA_MOO_TRAIN_MODEL_H_
#define STRATA_MOO_TRAIN_MODEL_H_

#include "engine/engine.h"
#include "models/models.h"
#include "moo/train/data.h"
#include "moo/train/experiment.pb.h"

namespace strata {
namespace moo {

// What a network must fit: the batches' channels and size, the classes the sets hold.
struct InputShape {
  int channels = 0, input_size = 0;
  int train_classes = 0, test_classes = 0;
};
// The training loader's batches and both sets' classes.
InputShape ShapeOf(const RunData& data);

// model.name and width (0 means 1), in_channels and num_classes (0: the data's channels
// and the training set's classes), input size of the batches, BN variants of the recipe
// (BnVariantsFor), weights seeded by config.seed. Errors name model.in_channels (not the
// data's) or model.num_classes (fewer than the data's) and the values.
StatusOr<models::ModelSpec> ModelSpecFor(const ExperimentConfig& config, const InputShape& in);

// config's model.in_channels and num_classes, where 0, set to what ModelSpecFor resolves
// them to (a reloaded run's config and a model file record them resolved).
void ResolveModelFields(const InputShape& in, ExperimentConfig* config);

}  // namespace moo
}  // namespace strata

#endif  // STRATA_MOO_TRAIN_MODEL_H_
